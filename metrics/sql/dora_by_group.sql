-- DORA figures per group over the deployments of the window (METRICS.md rules 5, 6, 9 to 11).
-- Relations window_deployments and window_changes: see their SQL files. $weeks: window length in weeks.
WITH lead_times AS (
    SELECT grp, lead_time_seconds / 3600.0 AS hours
    FROM window_changes
    WHERE lead_time_seconds >= 0
),
lead_time_figures AS (
    SELECT grp, changes, quantiles[1] AS lead_time_p50_hours, quantiles[2] AS lead_time_p90_hours
    FROM (
        SELECT grp, count(*) AS changes, quantile_cont(hours, [0.5, 0.9]) AS quantiles
        FROM lead_times
        GROUP BY grp
    )
),
deployment_figures AS (
    SELECT grp,
           count(*) AS deployments,
           count(*) FILTER (WHERE failed) AS failed_deployments,
           quantile_cont(recovery_hours, 0.5) FILTER (WHERE failed AND recovery_hours IS NOT NULL)
               AS recovery_p50_hours,
           count(*) FILTER (WHERE rework) AS rework_deployments
    FROM window_deployments
    GROUP BY grp
)
SELECT
    d.grp AS "group",
    d.deployments,
    d.deployments / $weeks AS deploys_per_week,
    coalesce(l.changes, 0) AS changes,
    l.lead_time_p50_hours,
    l.lead_time_p90_hours,
    d.failed_deployments,
    d.failed_deployments / d.deployments AS change_failure_rate,
    d.recovery_p50_hours,
    d.rework_deployments,
    d.rework_deployments / d.deployments AS rework_rate
FROM deployment_figures AS d
LEFT JOIN lead_time_figures AS l ON l.grp = d.grp
ORDER BY d.grp
