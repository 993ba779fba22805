-- Production deployments of the window [$since, $until), with their group and outcome.
-- Shared by the DORA figures and the weekly series. $group_by: org | team | service | repo.
-- org and repo: one row per deployment; team and service: one row per (deployment, group) from
-- deployment_services, so a monorepo deployment touching two services counts for both.
-- $team / $service narrow the deployments to those counting for that team / service.
-- The window is applied first. A deployment counting for one service has that service and its
-- team on its prod_deployments row (its one deployment_services row): only the deployments
-- counting for several (service NULL there) read deployment_services.
WITH windowed AS (
    SELECT source, id, repo, service, team, deployed_at, has_baseline
    FROM prod_deployments
    WHERE deployed_at >= $since AND deployed_at < $until
),
several AS (
    SELECT DISTINCT s.source, s.deployment_id,
           CASE $group_by WHEN 'team' THEN s.team WHEN 'service' THEN s.service END AS grp
    FROM deployment_services AS s
    SEMI JOIN (SELECT source, id FROM windowed WHERE service IS NULL) AS w
           ON w.source = s.source AND w.id = s.deployment_id
    WHERE ($team IS NULL OR s.team = $team)
      AND ($service IS NULL OR s.service = $service)
),
failed_or_rework AS (
    -- deployment_outcomes has a row per deployment; only these few are not plain successes (a
    -- deployment with recovered_at failed), so the others need no lookup. Two single-column
    -- conditions, so the scan reads the other columns of the matching rows only.
    SELECT source, deployment_id, failed, rework, recovered_at
    FROM deployment_outcomes
    WHERE failed
    UNION ALL
    SELECT source, deployment_id, failed, rework, recovered_at
    FROM deployment_outcomes
    WHERE rework AND NOT failed
),
grouped AS (
    SELECT *, CASE $group_by WHEN 'team' THEN team WHEN 'service' THEN service END AS grp
    FROM windowed
    WHERE service IS NOT NULL
      AND ($team IS NULL OR team = $team)
      AND ($service IS NULL OR service = $service)
    UNION ALL
    SELECT w.*, g.grp
    FROM windowed AS w
    JOIN several AS g ON g.source = w.source AND g.deployment_id = w.id
)
SELECT
    p.source, p.id, p.repo, p.service, p.team, p.deployed_at, p.has_baseline,
    CASE $group_by WHEN 'org' THEN 'all' WHEN 'repo' THEN p.repo ELSE p.grp END AS grp,
    coalesce(o.failed, false) AS failed, coalesce(o.rework, false) AS rework,
    (epoch(o.recovered_at) - epoch(p.deployed_at)) / 3600.0 AS recovery_hours
FROM grouped AS p
LEFT JOIN failed_or_rework AS o ON o.source = p.source AND o.deployment_id = p.id
