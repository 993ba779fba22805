-- The services (and teams) each production deployment counts for (METRICS.md rule 12, monorepos
-- included), from derive_shipped (first_shipments.sql):
--   deployment_services    (source, deployment_id, service, team)
-- A deployment naming its service counts for that service alone. Otherwise it counts for every
-- service whose monorepo path prefix (repo_services.sql) one of its shipped commits' `files`
-- touches; when it touches none (or no files are known), for the one service that lists its
-- repository, else 'unassigned' (prod_deployments.service). A row's team is its service's team,
-- else 'unassigned'. Pull requests: pull_request_services.sql.
CREATE OR REPLACE TEMP TABLE derive_touched_services AS
WITH deployment_files AS (
    SELECT s.source, s.id, s.repo, unnest(d.files) AS file
    FROM derive_shipped AS d
    JOIN derive_series AS s ON s.g = d.g
    WHERE d.files IS NOT NULL
)
SELECT DISTINCT df.source, df.id, mp.service
FROM deployment_files AS df
JOIN monorepo_prefixes AS mp ON mp.repo = df.repo AND under_prefix(df.file, mp.prefix);

CREATE OR REPLACE TABLE deployment_services AS
SELECT p.source, p.id AS deployment_id,
       coalesce(ts.service, p.service) AS service,
       coalesce(t.team, 'unassigned') AS team
FROM prod_deployments AS p
LEFT JOIN derive_touched_services AS ts ON ts.source = p.source AND ts.id = p.id
LEFT JOIN service_teams AS t ON t.id = coalesce(ts.service, p.service);

-- prod_deployments keeps one service and team per deployment: the one it counts for, or NULL
-- when it counts for several (deployment_services lists them). Only a deployment whose files
-- touch a service can differ from what prod_deployments.sql resolved.
UPDATE prod_deployments AS p
SET service = s.service, team = s.team
FROM (
    SELECT ds.source, ds.deployment_id,
           CASE WHEN count(DISTINCT ds.service) = 1 THEN min(ds.service) END AS service,
           CASE WHEN count(DISTINCT ds.team) = 1 THEN min(ds.team) END AS team
    FROM deployment_services AS ds
    SEMI JOIN derive_touched_services AS ts ON ts.source = ds.source AND ts.id = ds.deployment_id
    GROUP BY ds.source, ds.deployment_id
) AS s
WHERE s.source = p.source AND s.deployment_id = p.id
  AND (s.service IS DISTINCT FROM p.service OR s.team IS DISTINCT FROM p.team);

DROP TABLE derive_touched_services;
