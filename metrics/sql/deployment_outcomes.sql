-- Per deployment: rollback, failure, recovery and rework (METRICS.md rules 8 to 11).
CREATE OR REPLACE TABLE deployment_outcomes AS
WITH attributed_incidents AS (
    SELECT a.deployment_source, a.deployment_id, i.started_at, i.resolved_at
    FROM incident_attribution AS a
    JOIN incidents AS i ON i.source = a.incident_source AND i.id = a.incident_id
    WHERE a.deployment_id IS NOT NULL
),
incident_totals AS (
    SELECT deployment_source, deployment_id,
           count(*) AS incidents,
           count(*) FILTER (WHERE resolved_at IS NULL) AS open_incidents,
           max(resolved_at) AS last_resolved_at
    FROM attributed_incidents
    GROUP BY deployment_source, deployment_id
),
rolled_back AS (
    SELECT r.rolled_back_source AS source, r.rolled_back_id AS id, min(p.deployed_at) AS rollback_at
    FROM rollbacks AS r
    JOIN prod_deployments AS p ON p.source = r.source AND p.id = r.deployment_id
    GROUP BY r.rolled_back_source, r.rolled_back_id
),
rework_changes AS (
    SELECT source, deployment_id FROM deployment_changes WHERE is_rework GROUP BY ALL
),
during_open_incident AS (
    -- Deployments made while an incident attributed to an earlier deployment of the repo was open.
    SELECT DISTINCT p.source, p.id
    FROM prod_deployments AS p
    JOIN attributed_incidents AS ai
      ON ai.started_at <= p.deployed_at
     AND (ai.resolved_at IS NULL OR p.deployed_at < ai.resolved_at)
    JOIN prod_deployments AS culprit
      ON culprit.source = ai.deployment_source AND culprit.id = ai.deployment_id
     AND culprit.repo = p.repo AND culprit.deployed_at < p.deployed_at
)
SELECT
    p.source,
    p.id AS deployment_id,
    r.deployment_id IS NOT NULL AS is_rollback,
    rb.id IS NOT NULL AS rolled_back,
    coalesce(it.incidents, 0) AS incidents,
    (rb.id IS NOT NULL OR coalesce(it.incidents, 0) > 0) AS failed,
    CASE WHEN rb.id IS NOT NULL THEN rb.rollback_at
         WHEN it.incidents > 0 AND it.open_incidents = 0 THEN it.last_resolved_at END AS recovered_at,
    (r.deployment_id IS NOT NULL OR o.id IS NOT NULL OR rc.deployment_id IS NOT NULL) AS rework
FROM prod_deployments AS p
LEFT JOIN (SELECT DISTINCT source, deployment_id FROM rollbacks) AS r
       ON r.source = p.source AND r.deployment_id = p.id
LEFT JOIN rolled_back AS rb ON rb.source = p.source AND rb.id = p.id
LEFT JOIN incident_totals AS it ON it.deployment_source = p.source AND it.deployment_id = p.id
LEFT JOIN rework_changes AS rc ON rc.source = p.source AND rc.deployment_id = p.id
LEFT JOIN during_open_incident AS o ON o.source = p.source AND o.id = p.id;
