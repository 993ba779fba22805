-- The rows of relation `ungrouped` (each of a deployment: source, id, repo, service, team)
-- under each grouping of relation dora_groupings (org | team | service | repo): adds group_by
-- and the group, grp. window_deployments are the deployments (period_deployments.sql) grouped,
-- window_changes their changes (period_changes.sql), so both count for the same groups.
-- org and repo: one row per deployment; team and service: one row per (deployment, group) from
-- deployment_services, so a monorepo deployment touching two services counts for both.
-- $team / $service keep the deployments counting for that team / service.
-- A deployment counting for one service has that service and its team on its prod_deployments
-- row (its one deployment_services row): only the deployments counting for several (service NULL
-- there) read deployment_services.
WITH several AS (
    SELECT DISTINCT s.source, s.deployment_id, g.group_by,
           CASE g.group_by WHEN 'team' THEN s.team WHEN 'service' THEN s.service END AS grp
    FROM deployment_services AS s
    SEMI JOIN (SELECT source, id FROM span_deployments WHERE service IS NULL) AS d
           ON d.source = s.source AND d.id = s.deployment_id
    CROSS JOIN dora_groupings AS g
    WHERE ($team IS NULL OR s.team = $team)
      AND ($service IS NULL OR s.service = $service)
),
grouped AS (
    SELECT u.*, g.group_by, CASE g.group_by WHEN 'team' THEN u.team WHEN 'service' THEN u.service END AS grp
    FROM ungrouped AS u
    CROSS JOIN dora_groupings AS g
    WHERE u.service IS NOT NULL
      AND ($team IS NULL OR u.team = $team)
      AND ($service IS NULL OR u.service = $service)
    UNION ALL
    SELECT u.*, g.group_by, g.grp
    FROM ungrouped AS u
    JOIN several AS g ON g.source = u.source AND g.deployment_id = u.id
    WHERE u.service IS NULL
)
SELECT * REPLACE (CASE group_by WHEN 'org' THEN 'all' WHEN 'repo' THEN repo ELSE grp END AS grp)
FROM grouped
