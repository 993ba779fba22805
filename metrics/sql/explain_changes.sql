-- The changes behind one group's lead times: those of its deployments in the window (relation
-- window_deployments). `counted` is false for a negative lead time (dropped, rule 5).
SELECT
    c.deployment_id, c.change_key, c.pull_request, c.sha, c.title, c.started_at, d.deployed_at,
    c.lead_time_seconds / 3600.0 AS lead_time_hours,
    c.lead_time_seconds >= 0 AS counted,
    c.is_rework
FROM window_deployments AS d
JOIN deployment_changes AS c ON c.source = d.source AND c.deployment_id = d.id
WHERE d.grp = $group
ORDER BY d.deployed_at, d.id, c.change_key
