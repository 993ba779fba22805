-- The span's deployments (relation span_deployments) in each period of relation dora_periods,
-- with the period's name; window_deployments groups them (grouped.sql).
SELECT w.period, d.*
FROM span_deployments AS d
JOIN dora_periods AS w ON d.deployed_at >= w.since AND d.deployed_at < w.until
