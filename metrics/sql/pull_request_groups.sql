-- The groups each pull request of the window's figures (relation devex_pull_requests) counts
-- for: org 'all' and its repository once each; team and service from pull_request_services (a
-- monorepo pull request may count for several).
-- $team / $service keep only the pull requests counting for that team / service.
SELECT DISTINCT s.pull_request AS id, s.source,
       CASE $group_by WHEN 'org' THEN 'all' WHEN 'repo' THEN pr.repo
                      WHEN 'team' THEN s.team ELSE s.service END AS grp
FROM pull_request_services AS s
JOIN pull_requests AS pr ON pr.source = s.source AND pr.id = s.pull_request
WHERE s.pull_request IN (SELECT id FROM devex_pull_requests)
  AND ($team IS NULL OR s.team = $team)
  AND ($service IS NULL OR s.service = $service)
