-- Which deployment caused each incident (METRICS.md rule 7). An incident that names its cause
-- (caused_by.deployment or caused_by.sha) is attributed by that alone; otherwise to the latest
-- production deployment of its service (else its repo) at most $window_seconds before it began.
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
in_window AS (
    SELECT i.source AS incident_source, i.id AS incident_id, p.source AS deployment_source,
           p.id AS deployment_id, 'window' AS method
    FROM incidents AS i
    JOIN prod_deployments AS p
      ON (CASE WHEN i.service IS NOT NULL THEN p.service = i.service ELSE p.repo = i.repo END)
     AND p.deployed_at <= i.started_at
     AND epoch(i.started_at) - epoch(p.deployed_at) <= $window_seconds
    WHERE i.caused_by_deployment IS NULL AND i.caused_by_sha IS NULL
    QUALIFY row_number() OVER (PARTITION BY i.source, i.id ORDER BY p.deployed_at DESC, p.seq DESC, p.id DESC) = 1
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
