-- Production deployments of the window [$since, $until), with their group and outcome.
-- Shared by the DORA figures and the weekly series. $group_by: org | team | service | repo.
-- org and repo: one row per deployment; team and service: one row per (deployment, group) from
-- deployment_services, so a monorepo deployment touching two services counts for both.
-- $team / $service narrow the deployments to those counting for that team / service.
WITH attributions AS (
    SELECT source, deployment_id, service, team
    FROM deployment_services
    WHERE ($team IS NULL OR team = $team)
      AND ($service IS NULL OR service = $service)
),
deployment_groups AS (
    SELECT DISTINCT source, deployment_id,
           CASE $group_by WHEN 'team' THEN team WHEN 'service' THEN service END AS grp
    FROM attributions
)
SELECT
    p.source, p.id, p.repo, p.service, p.team, p.deployed_at, p.has_baseline,
    CASE $group_by WHEN 'org' THEN 'all' WHEN 'repo' THEN p.repo ELSE g.grp END AS grp,
    o.failed, o.rework,
    (epoch(o.recovered_at) - epoch(p.deployed_at)) / 3600.0 AS recovery_hours
FROM prod_deployments AS p
JOIN deployment_groups AS g ON g.source = p.source AND g.deployment_id = p.id
JOIN deployment_outcomes AS o ON o.source = p.source AND o.deployment_id = p.id
WHERE p.deployed_at >= $since AND p.deployed_at < $until
