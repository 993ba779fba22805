-- One row per pull request id (docs/metrics.md, "Identity across sources"): when two sources
-- know one pull request (a provider and a local clone both name it OWNER/REPO#N), the provider's
-- row wins — it knows labels, reviews and the real created_at, which a clone cannot.
CREATE OR REPLACE TABLE unique_pull_requests AS
SELECT * FROM pull_requests
QUALIFY row_number() OVER (PARTITION BY id ORDER BY source = 'git', source) = 1;
