-- Production deployments with their resolved service and team (METRICS.md rules 1, 2 and 12):
--   prod_deployments     the successful ones, numbered in series order (repo + environment, by
--                        deployed_at, ties by id with numeric ids as numbers), has_baseline false
--                        for the first of a series without an explicit commit list;
--   deployment_attempts  the others (failure, error, cancelled): in no DORA figure.
-- A deployment's service is its own (named_service), else the one service that lists its repo
-- (repo_services.sql), else 'unassigned'; its team is that service's team. For a deployment
-- naming no service, service_attribution.sql later refines this from the files it changed.
-- Table production_environment_names(name) holds the lower-case production names.
CREATE OR REPLACE TEMP VIEW resolved_production_deployments AS
WITH production AS (
    SELECT d.*, coalesce(d.service, rs.service, 'unassigned') AS resolved_service
    FROM deployments AS d
    LEFT JOIN repo_level_services AS rs ON rs.repo = d.repo
    WHERE lower(d.environment) IN (SELECT name FROM production_environment_names)
)
SELECT p.source, p.id, p.repo, lower(p.environment) AS environment, p.sha, p.status,
       p.finished_at, p.commits, p.service AS named_service, p.resolved_service AS service,
       coalesce(t.team, 'unassigned') AS team
FROM production AS p
LEFT JOIN service_teams AS t ON t.id = p.resolved_service;

CREATE OR REPLACE TABLE prod_deployments AS
SELECT
    source, id, repo, environment, sha,
    finished_at AS deployed_at,
    commits AS explicit_commits,
    named_service, service, team,
    row_number() OVER series AS seq,
    -- The first deployment of a series has no baseline (rule 3), unless it lists its commits.
    (row_number() OVER series > 1 OR commits IS NOT NULL) AS has_baseline
FROM resolved_production_deployments
WHERE status = 'success'
WINDOW series AS (
    PARTITION BY repo, environment
    ORDER BY finished_at, try_cast(id AS HUGEINT) NULLS LAST, id, source
);

CREATE OR REPLACE TABLE deployment_attempts AS
SELECT source, id, repo, environment, sha, status, finished_at, service, team
FROM resolved_production_deployments
WHERE status <> 'success';

DROP VIEW resolved_production_deployments;
