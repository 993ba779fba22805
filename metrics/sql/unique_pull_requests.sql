-- One row per pull request id (docs/metrics.md, "Identity across sources"): when two sources
-- know one pull request (a provider and a local clone both name it OWNER/REPO#N), the provider's
-- row wins — it knows labels, reviews and the real created_at, which a clone cannot. Of several
-- providers, the first source by name wins. Only the few shared ids need ranking.
CREATE OR REPLACE TABLE unique_pull_requests AS
WITH shared AS (
    SELECT id FROM pull_requests GROUP BY id HAVING count(*) > 1
)
SELECT * FROM pull_requests WHERE id NOT IN (SELECT id FROM shared)
UNION ALL
SELECT * FROM pull_requests WHERE id IN (SELECT id FROM shared)
QUALIFY row_number() OVER (PARTITION BY id ORDER BY source = 'git', source) = 1;
