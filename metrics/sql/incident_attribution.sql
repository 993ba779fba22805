-- Which deployment caused each incident (METRICS.md rule 7). An incident that names its cause
-- (caused_by.deployment or caused_by.sha) is attributed by that alone; otherwise to the latest
-- production deployment counting for its service (else of its repo) at most $window_seconds
-- before it began.
-- deployment_id NULL: unattributed (reported in data health).
CREATE OR REPLACE TABLE incident_attribution AS
WITH named_deployment AS (
    SELECT i.source AS incident_source, i.id AS incident_id, p.source AS deployment_source,
           p.id AS deployment_id, 'caused_by.deployment' AS method
    FROM incidents AS i
    JOIN prod_deployments AS p ON p.id = i.caused_by_deployment
    QUALIFY row_number() OVER (PARTITION BY i.source, i.id ORDER BY p.source = i.source DESC, p.source) = 1
),
sha_carriers AS (
    -- Deployments that shipped a commit as a change, or whose own sha it is.
    SELECT dc.source, dc.deployment_id, dc.sha FROM deployment_commits AS dc
    UNION
    SELECT source, id, sha FROM prod_deployments
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
answerable AS (
    -- The deployments an incident naming no cause may be blamed on: those counting for its
    -- service (deployment_services) when it names one, else those of its repository.
    SELECT i.source AS incident_source, i.id AS incident_id, i.started_at, p.*
    FROM incidents AS i
    JOIN deployment_services AS ds ON ds.service = i.service
    JOIN prod_deployments AS p ON p.source = ds.source AND p.id = ds.deployment_id
    WHERE i.service IS NOT NULL AND i.caused_by_deployment IS NULL AND i.caused_by_sha IS NULL
    UNION ALL
    SELECT i.source, i.id, i.started_at, p.*
    FROM incidents AS i
    JOIN prod_deployments AS p ON p.repo = i.repo
    WHERE i.service IS NULL AND i.caused_by_deployment IS NULL AND i.caused_by_sha IS NULL
),
in_window AS (
    SELECT a.incident_source, a.incident_id, a.source AS deployment_source,
           a.id AS deployment_id, 'window' AS method
    FROM answerable AS a
    WHERE a.deployed_at <= a.started_at
      AND epoch(a.started_at) - epoch(a.deployed_at) <= $window_seconds
    QUALIFY row_number() OVER (PARTITION BY a.incident_source, a.incident_id
                               ORDER BY a.deployed_at DESC, a.seq DESC, a.id DESC) = 1
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
