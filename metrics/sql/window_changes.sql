-- The changes shipped by the deployments of the window (relation window_deployments), with the
-- deployment's group and time; only changes with a lead time (started_at known).
-- deployment_changes.sql sets lead_time_seconds = epoch(deployed_at) - epoch(started_at), so
-- changes deployed far outside the window are dropped by a plain scan before the join (with a
-- day of slack for rounding); the join then keeps exactly the window's.
SELECT d.grp, d.deployed_at, c.source, c.deployment_id, c.change_key, c.started_at, c.lead_time_seconds,
       c.is_rework
FROM deployment_changes AS c
JOIN window_deployments AS d ON d.source = c.source AND d.id = c.deployment_id
WHERE epoch(c.started_at) + c.lead_time_seconds >= epoch($since) - 86400
  AND epoch(c.started_at) + c.lead_time_seconds < epoch($until) + 86400
