-- Helpers of the developer-experience queries (temporary: they live as long as the connection).

-- A login as people are compared: trimmed, lower case.
CREATE OR REPLACE TEMP MACRO person_key(login) AS lower(trim(login));

-- A lower-case login without one trailing "[bot]" (a plain suffix test: no regular expression).
CREATE OR REPLACE TEMP MACRO bot_key(name) AS
    CASE WHEN suffix(name, '[bot]') THEN left(name, length(name) - 5) ELSE name END;

-- Whether a login is one of `bots` (lower-case names): case-insensitive, a trailing "[bot]"
-- ignored, so "dependabot" matches dependabot, Dependabot and dependabot[bot].
CREATE OR REPLACE TEMP MACRO is_bot(login, bots) AS
    coalesce(list_contains(bots, bot_key(lower(trim(login)))), false);

-- Seconds from `a` to `b` in hours; NULL when either is unknown or `b` is before `a`.
CREATE OR REPLACE TEMP MACRO hours_between(a, b) AS
    CASE WHEN b >= a THEN (epoch(b) - epoch(a)) / 3600.0 END;
