-- Production deployments of the window [$since, $until), with their group and outcome.
-- Shared by the DORA figures and the weekly series. $group_by: org | team | service | repo.
SELECT
    p.source, p.id, p.repo, p.service, p.team, p.deployed_at, p.has_baseline,
    CASE $group_by WHEN 'org' THEN 'all' WHEN 'team' THEN p.team
                   WHEN 'service' THEN p.service ELSE p.repo END AS grp,
    o.failed, o.rework,
    (epoch(o.recovered_at) - epoch(p.deployed_at)) / 3600.0 AS recovery_hours
FROM prod_deployments AS p
JOIN deployment_outcomes AS o ON o.source = p.source AND o.deployment_id = p.id
WHERE p.deployed_at >= $since AND p.deployed_at < $until
  AND ($team IS NULL OR p.team = $team)
  AND ($service IS NULL OR p.service = $service)
