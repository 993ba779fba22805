-- A commit belongs only to the first deployment that contains it (METRICS.md rule 3), across
-- every production environment of its repository: keep, per (repo, sha), the pair of the
-- earliest deployment (by deployed_at, then series order and id).
CREATE OR REPLACE TABLE deployment_commits AS
SELECT dc.source, dc.deployment_id, dc.sha
FROM deployment_commits AS dc
JOIN prod_deployments AS p ON p.source = dc.source AND p.id = dc.deployment_id
QUALIFY row_number() OVER (PARTITION BY p.repo, dc.sha ORDER BY p.deployed_at, p.seq, p.id, p.source) = 1;
