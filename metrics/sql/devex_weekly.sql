-- Weekly developer-experience series: per group and week (Monday 00:00 in time zone $tz) from
-- $first_week to $last_week, the pull requests merged in [$since, $until) that week, with the
-- median pickup and cycle time (weeks without merges: 0 and nulls), for every group with a
-- merge in the window. Relation: pull_request_groups (its SQL file).
WITH weeks AS (
    SELECT CAST(w AS DATE) AS week
    FROM generate_series(CAST($first_week AS TIMESTAMP), CAST($last_week AS TIMESTAMP), INTERVAL 7 DAY) AS t(w)
),
merged AS (
    SELECT CAST(date_trunc('week', timezone($tz, f.merged_at)) AS DATE) AS week, f.*
    FROM pull_request_groups AS f
    WHERE f.merged_at >= $since AND f.merged_at < $until
),
figures AS (
    SELECT grp, week,
           count(*) AS merged_prs,
           quantile_cont(pickup_hours, 0.5) AS pickup_time_p50_hours,
           quantile_cont(cycle_hours, 0.5) AS cycle_time_p50_hours
    FROM merged
    GROUP BY grp, week
)
SELECT gr.grp AS "group", w.week,
       coalesce(f.merged_prs, 0) AS merged_prs,
       f.pickup_time_p50_hours,
       f.cycle_time_p50_hours
FROM (SELECT DISTINCT grp FROM merged) AS gr
CROSS JOIN weeks AS w
LEFT JOIN figures AS f ON f.grp = gr.grp AND f.week = w.week
