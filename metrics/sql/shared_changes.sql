-- span_changes.sql over the temporary tables of metrics.dora.shared_span: the changes' lead
-- times are kept with their deployment's key only (span_change_keys, far smaller than the
-- deployment's text columns repeated for every change) and joined to span_deployments when read.
SELECT d.k, d.source, d.id, d.repo, d.service, d.team, d.deployed_at, c.lead_time_seconds
FROM span_change_keys AS c
JOIN span_deployments AS d ON d.k = c.k
