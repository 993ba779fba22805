-- The service a repository maps to as a whole (METRICS.md rule 12): the one service that lists
-- it (whatever the path); a repository listed by several services maps to none. Its team is
-- that service's team. Used by prod_deployments.sql, service_attribution.sql and
-- pull_request_services.sql, as are the monorepo path prefixes: a file lies under a prefix when
-- it is the prefix itself or anything below it (`services/a` covers `services/a/x.go`, not
-- `services/ab/x.go`), a leading '/' ignored.
CREATE OR REPLACE TEMP VIEW service_teams AS
SELECT id, min(team) AS team FROM services GROUP BY id;

CREATE OR REPLACE TEMP VIEW repo_level_services AS
SELECT sr.repo, min(sr.service) AS service
FROM service_repos AS sr
GROUP BY sr.repo
HAVING count(DISTINCT sr.service) = 1;

CREATE OR REPLACE TEMP VIEW monorepo_prefixes AS
SELECT DISTINCT repo, service, path AS prefix FROM service_repos WHERE path <> '';

CREATE OR REPLACE TEMP MACRO under_prefix(file, prefix) AS
    ltrim(file, '/') = prefix OR starts_with(ltrim(file, '/'), prefix || '/');
