-- The team of each person, by person_key(login). pitwall.toml's membership (relation
-- settings_people(person, team), the settings in force) wins; otherwise the people table's other
-- sources (the catalog), the first source by name when several know the person. The table's
-- rows of source 'config' record the membership of the last refresh and are not read here.
SELECT person, team FROM settings_people
UNION ALL
SELECT person, team FROM (
    SELECT person_key(id) AS person, team
    FROM people
    WHERE source <> 'config' AND team IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY person_key(id) ORDER BY source) = 1
)
WHERE person NOT IN (SELECT person FROM settings_people)
