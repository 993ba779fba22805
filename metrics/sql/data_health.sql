-- Data-health counts over the window [$since, $until) (narrowed by $team / $service):
-- what the DORA figures leave out, so nobody mistakes missing data for good performance.
-- Relations window_deployments and window_changes (one period, the org grouping): see metrics.dora.window_query.
WITH attempts AS (
    SELECT * FROM deployment_attempts
    WHERE finished_at >= $since AND finished_at < $until
      AND ($team IS NULL OR team = $team)
      AND ($service IS NULL OR service = $service)
),
unattributed AS (
    SELECT i.* FROM incident_attribution AS a
    JOIN incidents AS i ON i.source = a.incident_source AND i.id = a.incident_id
    WHERE a.deployment_id IS NULL
      AND i.started_at >= $since AND i.started_at < $until
      AND ($service IS NULL OR i.service = $service)
      AND ($team IS NULL OR i.service IN (SELECT id FROM services WHERE team = $team))
)
SELECT
    (SELECT count(*) FROM attempts) AS failed_attempts,
    (SELECT count(*) FROM unattributed) AS unattributed_incidents,
    (SELECT count(*) FROM window_deployments WHERE NOT has_baseline) AS deployments_without_baseline,
    (SELECT count(*) FROM window_changes WHERE lead_time_seconds < 0) AS negative_lead_times_dropped
