-- DORA figures per period and group under each grouping (METRICS.md rules 5, 6, 9 to 11).
-- Relations dora_periods, window_deployments and window_changes: see metrics.dora.window_query.
WITH lead_times AS (
    SELECT period, group_by, grp, lead_time_seconds / 3600.0 AS hours
    FROM window_changes
    WHERE lead_time_seconds >= 0
),
lead_time_figures AS (
    SELECT period, group_by, grp, changes, quantiles[1] AS lead_time_p50_hours,
           quantiles[2] AS lead_time_p90_hours
    FROM (
        SELECT period, group_by, grp, count(*) AS changes, quantile_cont(hours, [0.5, 0.9]) AS quantiles
        FROM lead_times
        GROUP BY period, group_by, grp
    )
),
deployment_figures AS (
    SELECT period, group_by, grp,
           count(*) AS deployments,
           count(*) FILTER (WHERE failed) AS failed_deployments,
           quantile_cont(recovery_hours, 0.5) FILTER (WHERE failed AND recovery_hours IS NOT NULL)
               AS recovery_p50_hours,
           count(*) FILTER (WHERE rework) AS rework_deployments
    FROM window_deployments
    GROUP BY period, group_by, grp
),
weeks AS (
    -- A period's length in weeks (its bounds are UTC midnights).
    SELECT period, date_diff('day', since, until) / 7 AS weeks FROM dora_periods
)
SELECT
    d.period,
    d.group_by,
    d.grp AS "group",
    d.deployments,
    d.deployments / w.weeks AS deploys_per_week,
    coalesce(l.changes, 0) AS changes,
    l.lead_time_p50_hours,
    l.lead_time_p90_hours,
    d.failed_deployments,
    d.failed_deployments / d.deployments AS change_failure_rate,
    d.recovery_p50_hours,
    d.rework_deployments,
    d.rework_deployments / d.deployments AS rework_rate
FROM deployment_figures AS d
JOIN weeks AS w ON w.period = d.period
LEFT JOIN lead_time_figures AS l ON l.period = d.period AND l.group_by = d.group_by AND l.grp = d.grp
ORDER BY d.period, d.group_by, d.grp
