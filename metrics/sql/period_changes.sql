-- The span's changes (relation span_changes: lead times with their deployment) in each period of
-- relation dora_periods, with the period's name; window_changes groups them (grouped.sql)
-- exactly as their deployments.
SELECT w.period, c.source, c.id, c.repo, c.service, c.team, c.deployed_at, c.lead_time_seconds
FROM span_changes AS c
JOIN dora_periods AS w ON c.deployed_at >= w.since AND c.deployed_at < w.until
