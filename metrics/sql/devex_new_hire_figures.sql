-- New-hire figures per group (org: 'all'; team: the person's team) over the window's new hires
-- (relation devex_new_hires), as `by_month` is false; per (team, month of joining) when true.
-- Service and repo groupings have none. Durations come as [p50, p75, p90] lists.
SELECT
    CASE WHEN $by_month THEN team WHEN $group_by = 'org' THEN 'all' ELSE team END AS "group",
    CASE WHEN $by_month THEN month END AS month,
    count(*) AS new_hires,
    count(first_deploy_hours) AS deployed,
    quantile_cont(first_deploy_hours, [0.5, 0.75, 0.9]) AS first_deploy
FROM devex_new_hires
WHERE ($by_month OR $group_by IN ('org', 'team'))
  AND ($team IS NULL OR team = $team)
  AND $service IS NULL
GROUP BY ALL
