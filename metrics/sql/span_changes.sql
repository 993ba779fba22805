-- The lead times of the changes shipped by the span's deployments (relation span_deployments),
-- with their deployment (key k, source, id, repo, service, team, time): every change with a lead
-- time (started_at known), negative ones included. deployment_changes.sql sets
-- lead_time_seconds = epoch(deployed_at) - epoch(started_at), so changes deployed far outside the
-- span [$span_since, $until) are dropped by a plain scan before the join (with a day of slack
-- for rounding); the join then keeps exactly the span's. $span_since: the first period's start
-- (relation dora_periods). metrics.dora.shared_span keeps only k and the lead time (shared_changes.sql).
SELECT d.k, d.source, d.id, d.repo, d.service, d.team, d.deployed_at, c.lead_time_seconds
FROM deployment_changes AS c
JOIN span_deployments AS d ON d.source = c.source AND d.id = c.deployment_id
WHERE epoch(c.started_at) + c.lead_time_seconds >= epoch($span_since) - 86400
  AND epoch(c.started_at) + c.lead_time_seconds < epoch($until) + 86400
