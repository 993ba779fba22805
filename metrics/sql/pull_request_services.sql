-- The services (and teams) each pull request counts for (METRICS.md rule 12, monorepos included):
--   pull_request_services  (source, pull_request, service, team)
-- A pull request counts for every service whose monorepo path prefix (repo_services.sql) the
-- files of its own commits (linked to it, or its merge_commit_sha) touch; when they touch none
-- (or no files are known), for the one service that lists its repository, else 'unassigned'.
-- A row's team is its service's team, else 'unassigned'.
CREATE OR REPLACE TABLE pull_request_services AS
WITH pull_request_commits AS (
    SELECT pr.source, pr.id, pr.repo, c.files
    FROM pull_requests AS pr JOIN commits AS c ON c.repo = pr.repo AND c.pull_request = pr.id
    WHERE c.files IS NOT NULL
    UNION ALL
    SELECT pr.source, pr.id, pr.repo, c.files
    FROM pull_requests AS pr JOIN commits AS c ON c.repo = pr.repo AND c.sha = pr.merge_commit_sha
    WHERE c.files IS NOT NULL
),
changed_files AS (
    SELECT source, id, repo, unnest(files) AS file FROM pull_request_commits
),
touched_services AS (
    SELECT DISTINCT cf.source, cf.id, mp.service
    FROM changed_files AS cf
    JOIN monorepo_prefixes AS mp ON mp.repo = cf.repo AND under_prefix(cf.file, mp.prefix)
)
SELECT pr.source, pr.id AS pull_request,
       coalesce(ts.service, rs.service, 'unassigned') AS service,
       coalesce(t.team, 'unassigned') AS team
FROM pull_requests AS pr
LEFT JOIN touched_services AS ts ON ts.source = pr.source AND ts.id = pr.id
LEFT JOIN repo_level_services AS rs ON rs.repo = pr.repo
LEFT JOIN service_teams AS t ON t.id = coalesce(ts.service, rs.service, 'unassigned');
