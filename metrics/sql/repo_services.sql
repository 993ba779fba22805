-- The service a repository maps to as a whole (METRICS.md rule 12): the one service that lists
-- it (whatever the path); a repository listed by several services maps to none. Its team is
-- that service's team. Used by prod_deployments.sql and service_attribution.sql.
CREATE OR REPLACE TEMP VIEW service_teams AS
SELECT id, min(team) AS team FROM services GROUP BY id;

CREATE OR REPLACE TEMP VIEW repo_level_services AS
SELECT sr.repo, min(sr.service) AS service
FROM service_repos AS sr
GROUP BY sr.repo
HAVING count(DISTINCT sr.service) = 1;
