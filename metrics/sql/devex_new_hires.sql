-- New hires of [$since, $until): every person (bots left out) first seen then — their earliest
-- authored commit or opened pull request — with the first production deployment that contained
-- a change of theirs (a commit they authored, or a pull request they opened).
-- A commit author given as an e-mail address is matched to the person the people table gives
-- that address. Month of joining in time zone $tz. Parameters: $bots, $tz, $since, $until.
-- Relation person_teams (person_teams.sql).
WITH addresses AS (
    SELECT person_key(email) AS email, person_key(id) AS person
    FROM people
    WHERE email IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY person_key(email) ORDER BY source, id) = 1
),
commit_authors AS (
    -- Each commit author as written (a few distinct names), with the person it names and the
    -- earliest author date of their commits: the commits are read once, without a row each.
    SELECT c.author, coalesce(a.person, person_key(c.author)) AS person, c.first_authored_at
    FROM (
        SELECT author, min(authored_at) AS first_authored_at
        FROM commits
        WHERE author IS NOT NULL
        GROUP BY author
    ) AS c
    LEFT JOIN addresses AS a ON a.email = person_key(c.author)
    WHERE NOT is_bot(c.author, $bots)
),
activity AS (
    SELECT person, first_authored_at AS seen_at FROM commit_authors
    UNION ALL
    SELECT person_key(author), min(created_at) FROM pull_requests WHERE NOT is_bot(author, $bots) GROUP BY author
),
first_seen AS (
    SELECT person, min(seen_at) AS first_seen_at FROM activity GROUP BY person
),
hires AS (
    SELECT * FROM first_seen WHERE first_seen_at >= $since AND first_seen_at < $until
),
hire_commits AS (
    -- The commits of the hires (of no one else: the window's hires are few).
    SELECT c.repo, c.sha, ca.person
    FROM commits AS c
    JOIN commit_authors AS ca ON ca.author = c.author
    WHERE ca.person IN (SELECT person FROM hires)
),
shipped AS (
    -- The production deployments that contained a change of a new hire.
    SELECT hc.person, p.id AS deployment_id, p.deployed_at
    FROM deployment_commits AS dc
    JOIN prod_deployments AS p ON p.source = dc.source AND p.id = dc.deployment_id
    JOIN hire_commits AS hc ON hc.repo = p.repo AND hc.sha = dc.sha
    UNION ALL
    SELECT person_key(pr.author), p.id, p.deployed_at
    FROM deployment_changes AS c
    JOIN prod_deployments AS p ON p.source = c.source AND p.id = c.deployment_id
    JOIN pull_requests AS pr ON pr.id = c.pull_request
    WHERE person_key(pr.author) IN (SELECT person FROM hires)
),
first_shipped AS (
    -- Each hire's earliest deployment (ties: by deployment id).
    SELECT person, first.deployment_id, first.deployed_at AS first_deployed_at
    FROM (
        SELECT person, min({'deployed_at': deployed_at, 'deployment_id': deployment_id}) AS first
        FROM shipped
        GROUP BY person
    )
)
SELECT
    f.person,
    coalesce(t.team, 'unassigned') AS team,
    strftime(timezone($tz, f.first_seen_at), '%Y-%m') AS month,
    f.first_seen_at,
    s.deployment_id AS first_deployment,
    s.first_deployed_at,
    hours_between(f.first_seen_at, s.first_deployed_at) AS first_deploy_hours
FROM hires AS f
LEFT JOIN first_shipped AS s ON s.person = f.person
LEFT JOIN person_teams AS t ON t.person = f.person
