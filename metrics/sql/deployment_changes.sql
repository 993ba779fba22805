-- The change units each deployment shipped (METRICS.md rules 4 and 5), from derive_shipped
-- (first_shipments.sql). A commit that makes a pull request (linked, or equal to its
-- merge_commit_sha) makes that pull request the change; a merge commit with no pull request is
-- no change; any other known commit is its own change. A change counts once per repository, in
-- the first deployment that ships it: a commit is shipped once per repository already; a pull
-- request whose commits several deployments shipped belongs to the first of them (by deployed_at,
-- seq, id: derive_series.rank; then by sha).
-- Parameters: $rework_labels (lower-case label names). Table pull_request_starts: its SQL file.
CREATE OR REPLACE TABLE deployment_changes AS
WITH pull_request_shipments AS NOT MATERIALIZED (
    SELECT s.repo, d.pull_request, s.rank, d.g, d.sha
    FROM derive_shipped AS d
    JOIN derive_series AS s ON s.g = d.g
    WHERE d.pull_request IS NOT NULL
),
earliest AS (
    -- (a rank is one deployment's, unless deployments of several sources share it)
    SELECT repo, pull_request, min(rank) AS rank, arg_min(g, rank) AS g
    FROM pull_request_shipments
    GROUP BY repo, pull_request
),
tie_broken AS (
    -- Where deployments of several sources share a rank, the smallest sha decides among them.
    SELECT repo, pull_request, rank, arg_min(g, sha) AS g
    FROM pull_request_shipments
    WHERE rank IN (SELECT rank FROM derive_series GROUP BY rank HAVING count(*) > 1)
    GROUP BY repo, pull_request, rank
),
first_pull_request_shipments AS (
    SELECT e.pull_request, coalesce(t.g, e.g) AS g
    FROM earliest AS e
    LEFT JOIN tie_broken AS t ON t.repo = e.repo AND t.pull_request = e.pull_request AND t.rank = e.rank
),
changes AS (
    SELECT d.g, NULL AS pull_request, d.sha, d.authored_at AS started_at, d.subject AS title,
           []::VARCHAR[] AS labels
    FROM derive_shipped AS d
    WHERE d.pull_request IS NULL AND d.is_change
    UNION ALL
    SELECT f.g, f.pull_request, NULL, coalesce(st.first_authored_at, pr.created_at), pr.title,
           coalesce(pr.labels, [])
    FROM first_pull_request_shipments AS f
    LEFT JOIN unique_pull_requests AS pr ON pr.id = f.pull_request
    LEFT JOIN pull_request_starts AS st ON st.pull_request = f.pull_request
)
SELECT
    s.source, s.id AS deployment_id,
    CASE WHEN c.pull_request IS NOT NULL THEN 'pr:' || c.pull_request ELSE 'commit:' || c.sha END AS change_key,
    c.pull_request, c.sha, c.started_at,
    epoch(s.deployed_at) - epoch(c.started_at) AS lead_time_seconds,
    c.title,
    (list_has_any(list_transform(c.labels, lambda label: lower(label)), $rework_labels::VARCHAR[])
     OR coalesce(regexp_matches(c.title, '^revert[ "'']', 'i'), false)) AS is_rework
FROM changes AS c
JOIN derive_series AS s ON s.g = c.g;
