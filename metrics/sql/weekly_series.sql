-- Weekly DORA series for the charts: one row per week (Monday, in time zone $tz) from
-- $first_week to $last_week. Relations window_deployments and window_changes (one period, the
-- org grouping): see metrics.dora.window_query.
WITH weeks AS (
    SELECT CAST(w AS DATE) AS week
    FROM generate_series(CAST($first_week AS TIMESTAMP), CAST($last_week AS TIMESTAMP), INTERVAL 7 DAY) AS t(w)
),
bucketed AS (
    SELECT *, CAST(date_trunc('week', timezone($tz, deployed_at)) AS DATE) AS week
    FROM window_deployments
),
deployment_figures AS (
    SELECT week,
           count(*) AS deployments,
           count(*) FILTER (WHERE failed) / count(*) AS change_failure_rate,
           quantile_cont(recovery_hours, 0.5) FILTER (WHERE failed AND recovery_hours IS NOT NULL)
               AS recovery_p50_hours
    FROM bucketed
    GROUP BY week
),
lead_time_figures AS (
    SELECT CAST(date_trunc('week', timezone($tz, deployed_at)) AS DATE) AS week,
           quantile_cont(lead_time_seconds / 3600.0, 0.5) AS lead_time_p50_hours
    FROM window_changes
    WHERE lead_time_seconds >= 0
    GROUP BY week
)
SELECT
    weeks.week,
    coalesce(d.deployments, 0) AS deployments,
    l.lead_time_p50_hours,
    d.change_failure_rate,
    d.recovery_p50_hours
FROM weeks
LEFT JOIN deployment_figures AS d ON d.week = weeks.week
LEFT JOIN lead_time_figures AS l ON l.week = weeks.week
