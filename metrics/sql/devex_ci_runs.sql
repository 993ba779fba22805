-- CI runs started in [$since, $until), runs on a bot's commit left out, each with its group:
-- org 'all'; repo its repository; service every service listing the repository (a run cannot
-- tell which path of a monorepo it built), else 'unassigned'; team those services' teams.
-- state: the status in lower case; minutes: finished_at - started_at (NULL when unknown).
-- Parameters: $bots, $group_by, $team, $service.
WITH repo_services AS (
    SELECT DISTINCT sr.repo, sr.service, coalesce(t.team, 'unassigned') AS team
    FROM service_repos AS sr
    LEFT JOIN (SELECT id, min(team) AS team FROM services GROUP BY id) AS t ON t.id = sr.service
),
bot_commits AS MATERIALIZED (
    -- The bots' commits, found on the author column alone (a commit is one row per repo and sha).
    SELECT repo, sha FROM commits WHERE is_bot(author, $bots)
),
runs AS (
    SELECT r.*, lower(r.status) AS state,
           CASE WHEN r.finished_at >= r.started_at
                THEN (epoch(r.finished_at) - epoch(r.started_at)) / 60.0 END AS minutes
    FROM pipeline_runs AS r
    WHERE r.started_at >= $since AND r.started_at < $until
      AND NOT EXISTS (SELECT 1 FROM bot_commits AS c WHERE c.repo = r.repo AND c.sha = r.sha)
),
run_services AS (
    SELECT r.source, r.id, coalesce(rs.service, 'unassigned') AS service,
           coalesce(rs.team, 'unassigned') AS team
    FROM runs AS r
    LEFT JOIN repo_services AS rs ON rs.repo = r.repo
),
run_groups AS (
    SELECT DISTINCT source, id,
           CASE $group_by WHEN 'team' THEN team WHEN 'service' THEN service END AS grp
    FROM run_services
    WHERE ($team IS NULL OR team = $team) AND ($service IS NULL OR service = $service)
)
SELECT r.*, CASE $group_by WHEN 'org' THEN 'all' WHEN 'repo' THEN r.repo ELSE g.grp END AS grp
FROM runs AS r
JOIN run_groups AS g ON g.source = r.source AND g.id = r.id
