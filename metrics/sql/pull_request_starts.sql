-- When each pull request's work began (METRICS.md rule 4): the earliest author date over its own
-- commits, those linked to it by `pull_request`; its merge or squash commit (merge_commit_sha, or
-- any commit with two or more parents) is not one of them. Pull requests with no such commit have
-- no row (their start is their created_at). Shared by deployment_changes.sql and the devex figures.
CREATE OR REPLACE TABLE pull_request_starts AS
SELECT c.pull_request, min(c.authored_at) AS first_authored_at
FROM commits AS c
LEFT JOIN unique_pull_requests AS pr ON pr.id = c.pull_request
WHERE c.pull_request IS NOT NULL
  AND c.sha IS DISTINCT FROM pr.merge_commit_sha
  AND coalesce(len(c.parents), 0) < 2
GROUP BY c.pull_request;
