-- The change units each deployment shipped (METRICS.md rules 4 and 5), from deployment_commits.
-- A commit that makes a pull request (linked, or equal to its merge_commit_sha) makes that pull
-- request the change; a merge commit with no pull request is no change; any other known commit
-- is its own change. A change counts once per repository, in the first deployment that ships it.
-- Parameters: $rework_labels (lower-case label names). Table pull_request_starts: its SQL file.
CREATE OR REPLACE TABLE deployment_changes AS
WITH shipped AS (
    SELECT
        p.source, p.id AS deployment_id, p.repo, p.environment, p.seq, p.deployed_at,
        dc.sha, c.authored_at, c.parents, c.message,
        coalesce(c.pull_request, merged.id) AS pull_request
    FROM deployment_commits AS dc
    JOIN prod_deployments AS p ON p.source = dc.source AND p.id = dc.deployment_id
    LEFT JOIN commits AS c ON c.repo = p.repo AND c.sha = dc.sha
    LEFT JOIN unique_pull_requests AS merged
        ON merged.repo = p.repo AND merged.merge_commit_sha = dc.sha
    QUALIFY row_number() OVER (PARTITION BY p.source, p.id, dc.sha ORDER BY merged.id) = 1
),
units AS (
    SELECT
        *,
        CASE WHEN pull_request IS NOT NULL THEN 'pr:' || pull_request ELSE 'commit:' || sha END AS change_key
    FROM shipped
    WHERE pull_request IS NOT NULL
       OR (authored_at IS NOT NULL AND coalesce(len(parents), 0) < 2)
),
first_shipments AS (
    -- One row per change: the first deployment that ships any of its commits.
    SELECT * FROM units
    QUALIFY row_number() OVER (PARTITION BY repo, change_key ORDER BY deployed_at, seq, deployment_id, sha) = 1
),
described AS (
    SELECT
        f.source, f.deployment_id, f.change_key, f.pull_request,
        CASE WHEN f.pull_request IS NULL THEN f.sha END AS sha,
        f.deployed_at,
        CASE WHEN f.pull_request IS NULL THEN f.authored_at
             ELSE coalesce(s.first_authored_at, pr.created_at) END AS started_at,
        CASE WHEN f.pull_request IS NULL THEN split_part(f.message, chr(10), 1)
             ELSE pr.title END AS title,
        coalesce(pr.labels, []) AS labels
    FROM first_shipments AS f
    LEFT JOIN unique_pull_requests AS pr ON pr.id = f.pull_request
    LEFT JOIN pull_request_starts AS s ON s.pull_request = f.pull_request
)
SELECT
    source, deployment_id, change_key, pull_request, sha, started_at,
    epoch(deployed_at) - epoch(started_at) AS lead_time_seconds,
    title,
    (list_has_any(list_transform(labels, lambda label: lower(label)), $rework_labels::VARCHAR[])
     OR coalesce(regexp_matches(title, '^revert[ "'']', 'i'), false)) AS is_rework
FROM described;
