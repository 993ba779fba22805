-- Developer-experience figures per group over the window [$since, $until): the pull requests
-- merged in the window, and those open at its end. $weeks: window length in weeks.
-- Relations: devex_pull_requests, pull_request_groups (their SQL files).
-- Durations come as [p50, p75, p90] lists (continuous percentiles, NULL without values).
WITH grouped AS (
    SELECT g.grp, f.*
    FROM devex_pull_requests AS f
    JOIN pull_request_groups AS g ON g.source = f.source AND g.id = f.id
),
merged AS (
    SELECT * FROM grouped WHERE merged_at >= $since AND merged_at < $until
),
open_at_end AS (
    SELECT grp, count(*) AS open_prs
    FROM grouped
    WHERE created_at < $until
      AND (merged_at IS NULL OR merged_at >= $until)
      AND (closed_at IS NULL OR closed_at >= $until)
    GROUP BY grp
),
flow AS (
    SELECT
        grp,
        count(*) AS merged_prs,
        quantile_cont(coding_hours, [0.5, 0.75, 0.9]) AS coding_time,
        quantile_cont(pickup_hours, [0.5, 0.75, 0.9]) AS pickup_time,
        quantile_cont(review_hours, [0.5, 0.75, 0.9]) AS review_time,
        quantile_cont(deploy_hours, [0.5, 0.75, 0.9]) AS deploy_time,
        quantile_cont(cycle_hours, [0.5, 0.75, 0.9]) AS cycle_time,
        quantile_cont(size, 0.5) AS pr_size_p50,
        count(*) FILTER (WHERE size_bucket = 'XS') AS pr_size_xs,
        count(*) FILTER (WHERE size_bucket = 'S') AS pr_size_s,
        count(*) FILTER (WHERE size_bucket = 'M') AS pr_size_m,
        count(*) FILTER (WHERE size_bucket = 'L') AS pr_size_l,
        count(*) FILTER (WHERE size_bucket = 'XL') AS pr_size_xl,
        sum(reviews) / count(*) AS reviews_per_pr,
        count(*) FILTER (WHERE reviews = 0) AS unreviewed_prs,
        count(*) FILTER (WHERE cross_team) AS cross_team_prs,
        count(*) FILTER (WHERE cross_team) / nullif(count(*) FILTER (WHERE cross_team IS NOT NULL), 0)
            AS cross_team_share,
        quantile_cont(pickup_hours, [0.5, 0.75, 0.9]) FILTER (WHERE cross_team) AS cross_team_pickup,
        quantile_cont(pickup_hours, [0.5, 0.75, 0.9]) FILTER (WHERE NOT cross_team) AS same_team_pickup
    FROM merged
    GROUP BY grp
)
SELECT
    coalesce(f.grp, o.grp) AS "group",
    coalesce(f.merged_prs, 0) AS merged_prs,
    coalesce(f.merged_prs, 0) / $weeks AS throughput_per_week,
    coalesce(o.open_prs, 0) AS open_prs,
    f.* EXCLUDE (grp, merged_prs)
FROM flow AS f
FULL OUTER JOIN open_at_end AS o ON o.grp = f.grp
