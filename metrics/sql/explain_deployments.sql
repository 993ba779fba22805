-- The deployments behind one group's DORA figures ($group under $group_by, in the window):
-- relation window_deployments. `services`: the services it counts for, comma-separated;
-- `changes`: its changes with a lead time (negative ones are dropped, rule 5).
SELECT
    d.id, d.source, p.repo, p.environment, p.sha, d.deployed_at,
    (SELECT string_agg(s.service, ',' ORDER BY s.service) FROM deployment_services AS s
      WHERE s.source = d.source AND s.deployment_id = d.id) AS services,
    (SELECT count(*) FROM deployment_changes AS c
      WHERE c.source = d.source AND c.deployment_id = d.id AND c.lead_time_seconds >= 0) AS changes,
    d.has_baseline, o.is_rollback, o.rolled_back, o.incidents, o.failed, o.recovered_at,
    d.recovery_hours, o.rework
FROM window_deployments AS d
JOIN prod_deployments AS p ON p.source = d.source AND p.id = d.id
JOIN deployment_outcomes AS o ON o.source = d.source AND o.deployment_id = d.id
WHERE d.grp = $group
ORDER BY d.deployed_at, d.id
