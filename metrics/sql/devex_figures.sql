-- Developer-experience figures per period (relation devex_periods) and group: the pull requests
-- merged in the period, and those open at its end (the two never meet), read in one pass.
-- $weeks: the length of a period in weeks. Relations: devex_periods, pull_request_groups.
-- Durations come as [p50, p75, p90] lists (continuous percentiles, NULL without values).
WITH counted AS (
    SELECT p.period, coalesce(f.merged_at >= p.since AND f.merged_at < p.until, false) AS merged, f.*
    FROM pull_request_groups AS f
    JOIN devex_periods AS p
      ON (f.merged_at >= p.since AND f.merged_at < p.until)
      OR (f.created_at < p.until
          AND (f.merged_at IS NULL OR f.merged_at >= p.until)
          AND (f.closed_at IS NULL OR f.closed_at >= p.until))
)
SELECT
    period,
    grp AS "group",
    count(*) FILTER (WHERE merged) AS merged_prs,
    count(*) FILTER (WHERE merged) / $weeks AS throughput_per_week,
    count(*) FILTER (WHERE NOT merged) AS open_prs,
    quantile_cont(coding_hours, [0.5, 0.75, 0.9]) FILTER (WHERE merged) AS coding_time,
    quantile_cont(pickup_hours, [0.5, 0.75, 0.9]) FILTER (WHERE merged) AS pickup_time,
    quantile_cont(review_hours, [0.5, 0.75, 0.9]) FILTER (WHERE merged) AS review_time,
    quantile_cont(deploy_hours, [0.5, 0.75, 0.9]) FILTER (WHERE merged) AS deploy_time,
    quantile_cont(cycle_hours, [0.5, 0.75, 0.9]) FILTER (WHERE merged) AS cycle_time,
    quantile_cont(size, 0.5) FILTER (WHERE merged) AS pr_size_p50,
    count(*) FILTER (WHERE merged AND size_bucket = 'XS') AS pr_size_xs,
    count(*) FILTER (WHERE merged AND size_bucket = 'S') AS pr_size_s,
    count(*) FILTER (WHERE merged AND size_bucket = 'M') AS pr_size_m,
    count(*) FILTER (WHERE merged AND size_bucket = 'L') AS pr_size_l,
    count(*) FILTER (WHERE merged AND size_bucket = 'XL') AS pr_size_xl,
    sum(reviews) FILTER (WHERE merged) / count(*) FILTER (WHERE merged) AS reviews_per_pr,
    count(*) FILTER (WHERE merged AND reviews = 0) AS unreviewed_prs,
    count(*) FILTER (WHERE merged AND cross_team) AS cross_team_prs,
    count(*) FILTER (WHERE merged AND cross_team)
        / nullif(count(*) FILTER (WHERE merged AND cross_team IS NOT NULL), 0) AS cross_team_share,
    quantile_cont(pickup_hours, [0.5, 0.75, 0.9]) FILTER (WHERE merged AND cross_team) AS cross_team_pickup,
    quantile_cont(pickup_hours, [0.5, 0.75, 0.9]) FILTER (WHERE merged AND NOT cross_team) AS same_team_pickup
FROM counted
GROUP BY period, grp
