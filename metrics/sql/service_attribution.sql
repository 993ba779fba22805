-- The services (and teams) each production deployment and each pull request counts for
-- (METRICS.md rule 12, monorepos included), from derive_shipped
-- (first_shipments.sql):
--   deployment_services    (source, deployment_id, service, team)
--   pull_request_services  (source, pull_request, service, team)
-- A deployment naming its service counts for that service alone. Otherwise it counts for every
-- service whose monorepo path prefix (service_repos.path) one of its shipped commits' `files`
-- touches: the prefix itself or anything below it (`services/a` covers `services/a/x.go`, not
-- `services/ab/x.go`); when it touches none (or no files are known), for the one service that
-- lists its repository, else 'unassigned' (prod_deployments.service). A pull request likewise
-- counts for the services its own commits' files touch, else for its repository's service.
-- A row's team is its service's team, else 'unassigned'.
CREATE OR REPLACE TEMP VIEW touched_services AS
WITH monorepo_prefixes AS (
    SELECT DISTINCT repo, service, path AS prefix FROM service_repos WHERE path <> ''
),
deployment_files AS (
    SELECT s.source, s.id, s.repo, unnest(d.files) AS file
    FROM derive_shipped AS d
    JOIN derive_series AS s ON s.g = d.g
    WHERE d.files IS NOT NULL
),
pull_request_commits AS (
    SELECT pr.source, pr.id, pr.repo, c.files
    FROM pull_requests AS pr JOIN commits AS c ON c.repo = pr.repo AND c.pull_request = pr.id
    WHERE c.files IS NOT NULL
    UNION ALL
    SELECT pr.source, pr.id, pr.repo, c.files
    FROM pull_requests AS pr JOIN commits AS c ON c.repo = pr.repo AND c.sha = pr.merge_commit_sha
    WHERE c.files IS NOT NULL
),
changed_files AS (
    SELECT 'deployment' AS kind, source, id, repo, file FROM deployment_files
    UNION ALL
    SELECT 'pull_request', source, id, repo, unnest(files) FROM pull_request_commits
)
SELECT DISTINCT cf.kind, cf.source, cf.id, mp.service
FROM changed_files AS cf
JOIN monorepo_prefixes AS mp
  ON mp.repo = cf.repo
 AND (ltrim(cf.file, '/') = mp.prefix OR starts_with(ltrim(cf.file, '/'), mp.prefix || '/'));

CREATE OR REPLACE TABLE deployment_services AS
SELECT p.source, p.id AS deployment_id,
       coalesce(ts.service, p.service) AS service,
       coalesce(t.team, 'unassigned') AS team
FROM prod_deployments AS p
LEFT JOIN touched_services AS ts ON ts.kind = 'deployment' AND ts.source = p.source AND ts.id = p.id
LEFT JOIN service_teams AS t ON t.id = coalesce(ts.service, p.service);

CREATE OR REPLACE TABLE pull_request_services AS
SELECT pr.source, pr.id AS pull_request,
       coalesce(ts.service, rs.service, 'unassigned') AS service,
       coalesce(t.team, 'unassigned') AS team
FROM pull_requests AS pr
LEFT JOIN touched_services AS ts ON ts.kind = 'pull_request' AND ts.source = pr.source AND ts.id = pr.id
LEFT JOIN repo_level_services AS rs ON rs.repo = pr.repo
LEFT JOIN service_teams AS t ON t.id = coalesce(ts.service, rs.service, 'unassigned');

-- prod_deployments keeps one service and team per deployment: the one it counts for, or NULL
-- when it counts for several (deployment_services lists them).
UPDATE prod_deployments AS p
SET service = s.service, team = s.team
FROM (
    SELECT source, deployment_id,
           CASE WHEN count(DISTINCT service) = 1 THEN min(service) END AS service,
           CASE WHEN count(DISTINCT team) = 1 THEN min(team) END AS team
    FROM deployment_services
    GROUP BY source, deployment_id
) AS s
WHERE s.source = p.source AND s.deployment_id = p.id
  AND (s.service IS DISTINCT FROM p.service OR s.team IS DISTINCT FROM p.team);

DROP VIEW touched_services;
