-- The pull requests of the figures (relation devex_pull_requests), each with the group it counts
-- for (column grp): org 'all' and its repository once each; team and service from
-- pull_request_services (a monorepo pull request may count for several: one row each). A pull
-- request counts only with a row there, of $team / $service when given. $group_by is known when
-- the query is planned: one part runs.
SELECT CASE $group_by WHEN 'org' THEN 'all' ELSE f.repo END AS grp, f.*
FROM devex_pull_requests AS f
WHERE $group_by IN ('org', 'repo')
  AND EXISTS (SELECT 1 FROM pull_request_services AS s
              WHERE s.source = f.source AND s.pull_request = f.id
                AND ($team IS NULL OR s.team = $team) AND ($service IS NULL OR s.service = $service))
UNION ALL
SELECT g.grp, f.*
FROM devex_pull_requests AS f
JOIN (
    SELECT DISTINCT s.source, s.pull_request AS id, CASE $group_by WHEN 'team' THEN s.team ELSE s.service END AS grp
    FROM pull_request_services AS s
    WHERE s.pull_request IN (SELECT id FROM devex_pull_requests)
      AND ($team IS NULL OR s.team = $team)
      AND ($service IS NULL OR s.service = $service)
) AS g ON g.source = f.source AND g.id = f.id
WHERE $group_by IN ('team', 'service')
