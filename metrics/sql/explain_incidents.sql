-- The incidents behind one group's failures and recovery: those attributed to its deployments
-- in the window (relation window_deployments), with how each was attributed (rule 7).
SELECT
    i.id AS incident, i.source, i.title, i.service, i.started_at, i.resolved_at,
    a.deployment_id, a.method
FROM window_deployments AS d
JOIN incident_attribution AS a ON a.deployment_source = d.source AND a.deployment_id = d.id
JOIN incidents AS i ON i.source = a.incident_source AND i.id = a.incident_id
WHERE d.grp = $group
ORDER BY i.started_at, i.id
