-- The successful production deployments as the commit walk (metrics/shipments.py) sees them:
--   g       0, 1, ... in the order of each repository's deployments (deployed_at, seq, id,
--           source), repositories one after another: the first shipment of a commit has the
--           smallest g (METRICS.md rule 3);
--   rank    the same order without the source (deployments of two sources may tie);
--   layer   which series of its repository it belongs to (0, 1, ... by environment);
--   walks   whether it ships what its sha newly reaches: not the first of its series (no
--           baseline), no explicit commit list (that list wins).
CREATE OR REPLACE TEMP TABLE derive_series AS
SELECT source, id, repo, sha, explicit_commits, deployed_at, seq, named_service,
       (row_number() OVER (ORDER BY repo, deployed_at, seq, id, source) - 1)::INTEGER AS g,
       dense_rank() OVER (ORDER BY repo, deployed_at, seq, id)::INTEGER AS rank,
       (dense_rank() OVER (PARTITION BY repo ORDER BY environment) - 1)::INTEGER AS layer,
       (seq > 1 AND explicit_commits IS NULL) AS walks
FROM prod_deployments;
