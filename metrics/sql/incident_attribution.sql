-- Which deployment caused each incident (METRICS.md rule 7). An incident that names its cause
-- (caused_by.deployment or caused_by.sha) is attributed by that alone; otherwise to the latest
-- production deployment counting for its service (else of its repo) at most $window_seconds
-- before it began (an ASOF join finds when that was).
-- deployment_id NULL: unattributed (reported in data health).
CREATE OR REPLACE TABLE incident_attribution AS
WITH named_deployment AS (
    SELECT i.source AS incident_source, i.id AS incident_id, p.source AS deployment_source,
           p.id AS deployment_id, 'caused_by.deployment' AS method
    FROM incidents AS i
    JOIN prod_deployments AS p ON p.id = i.caused_by_deployment
    QUALIFY row_number() OVER (PARTITION BY i.source, i.id ORDER BY p.source = i.source DESC, p.source) = 1
),
named_shas AS (
    SELECT DISTINCT caused_by_sha AS sha
    FROM incidents
    WHERE caused_by_sha IS NOT NULL AND caused_by_deployment IS NULL
),
sha_carriers AS (
    -- Deployments that shipped a named commit, or whose own sha it is (derive_shipped and
    -- derive_series: deployment_commits before it is written out, first_shipments.sql).
    SELECT s.source, s.id AS deployment_id, d.sha
    FROM derive_shipped AS d
    JOIN derive_series AS s ON s.g = d.g
    WHERE d.sha IN (SELECT sha FROM named_shas)
    UNION
    SELECT source, id, sha FROM prod_deployments
    WHERE sha IN (SELECT sha FROM named_shas)
),
named_sha AS (
    SELECT i.source AS incident_source, i.id AS incident_id, p.source AS deployment_source,
           p.id AS deployment_id, 'caused_by.sha' AS method
    FROM incidents AS i
    JOIN sha_carriers AS sc ON sc.sha = i.caused_by_sha
    JOIN prod_deployments AS p ON p.source = sc.source AND p.id = sc.deployment_id
    WHERE i.caused_by_deployment IS NULL
      AND (i.repo IS NULL OR p.repo = i.repo)
    QUALIFY row_number() OVER (PARTITION BY i.source, i.id ORDER BY p.deployed_at, p.seq, p.id) = 1
),
candidates AS (
    -- The deployments an incident naming no cause may be blamed on, by what it names: those
    -- counting for a service (deployment_services), and those of a repository.
    SELECT 'service' AS kind, ds.service AS name, p.source, p.id, p.deployed_at, p.seq
    FROM deployment_services AS ds
    JOIN prod_deployments AS p ON p.source = ds.source AND p.id = ds.deployment_id
    UNION ALL
    SELECT 'repo', p.repo, p.source, p.id, p.deployed_at, p.seq
    FROM prod_deployments AS p
),
unexplained AS (
    -- Incidents naming no cause: by their service when they name one, else by their repository.
    SELECT source, id, started_at,
           CASE WHEN service IS NOT NULL THEN 'service' ELSE 'repo' END AS kind,
           coalesce(service, repo) AS name
    FROM incidents
    WHERE caused_by_deployment IS NULL AND caused_by_sha IS NULL AND coalesce(service, repo) IS NOT NULL
),
latest AS (
    -- When the latest candidate at or before the incident's start was deployed.
    SELECT u.source, u.id, u.started_at, u.kind, u.name, c.deployed_at
    FROM unexplained AS u
    ASOF JOIN candidates AS c ON c.kind = u.kind AND c.name = u.name AND c.deployed_at <= u.started_at
    WHERE epoch(u.started_at) - epoch(c.deployed_at) <= $window_seconds
),
in_window AS (
    -- The latest of the candidates deployed then (ties: the last in series order, then by id).
    SELECT l.source AS incident_source, l.id AS incident_id, c.source AS deployment_source,
           c.id AS deployment_id, 'window' AS method
    FROM latest AS l
    JOIN candidates AS c ON c.kind = l.kind AND c.name = l.name AND c.deployed_at = l.deployed_at
    QUALIFY row_number() OVER (PARTITION BY l.source, l.id ORDER BY c.seq DESC, c.id DESC) = 1
),
attributed AS (
    SELECT * FROM named_deployment
    UNION ALL SELECT * FROM named_sha
    UNION ALL SELECT * FROM in_window
)
SELECT i.source AS incident_source, i.id AS incident_id,
       a.deployment_source, a.deployment_id, a.method
FROM incidents AS i
LEFT JOIN attributed AS a ON a.incident_source = i.source AND a.incident_id = i.id;
