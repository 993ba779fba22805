-- New-hire figures per period (relation devex_periods: the hires first seen in it) and group
-- (org: 'all'; team: the person's team) over the new hires (relation devex_new_hires), as
-- `by_month` is false; per (team, month of joining) when true. Service and repo groupings have
-- none. Durations come as [p50, p75, p90] lists.
SELECT
    p.period,
    CASE WHEN $by_month THEN h.team WHEN $group_by = 'org' THEN 'all' ELSE h.team END AS "group",
    CASE WHEN $by_month THEN h.month END AS month,
    count(*) AS new_hires,
    count(h.first_deploy_hours) AS deployed,
    quantile_cont(h.first_deploy_hours, [0.5, 0.75, 0.9]) AS first_deploy
FROM devex_new_hires AS h
JOIN devex_periods AS p ON h.first_seen_at >= p.since AND h.first_seen_at < p.until
WHERE ($by_month OR $group_by IN ('org', 'team'))
  AND ($team IS NULL OR h.team = $team)
  AND $service IS NULL
GROUP BY ALL
