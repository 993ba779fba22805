-- What the commit walk found (metrics/shipments.py: derive_shipments(node, row, g, parent_count),
-- the deployment g of derive_series that first ships each node: a commit, by its rowid `row`, or a
-- sha no commit row holds, listed in derive_unknown_shas), with what the later steps need of each
-- shipped commit:
--   derive_shipped      (g, sha, pull_request, is_change, authored_at, subject, files):
--                       pull_request: the one the commit is linked to, else the one whose
--                       merge_commit_sha it is (the smallest id when several name it);
--                       is_change: it makes a change unit (METRICS.md rule 4): it makes a pull
--                       request, or it is a known commit with fewer than two parents;
--                       subject: its message's first line when it is linked to no pull request;
--                       files: the files it changed when its deployment names no service;
--   deployment_commits  (source, deployment_id, sha): the commits each deployment shipped, each
--                       once per repository, in the first deployment that ships it across every
--                       production environment of its repository (METRICS.md rule 3).
-- Table unique_pull_requests: its SQL file.
CREATE OR REPLACE TEMP TABLE derive_shipped AS
WITH merges AS (
    SELECT repo, merge_commit_sha AS sha, min(id) AS pull_request
    FROM unique_pull_requests
    WHERE merge_commit_sha IS NOT NULL
    GROUP BY repo, merge_commit_sha
),
shipped AS (
    SELECT w.g, s.repo, s.named_service, coalesce(c.sha, u.sha) AS sha, c.pull_request AS linked,
           c.authored_at, w.parent_count, c.message, c.files
    FROM derive_shipments AS w
    JOIN derive_series AS s ON s.g = w.g
    LEFT JOIN commits AS c ON c.rowid = w.row
    LEFT JOIN derive_unknown_shas AS u ON u.node = w.node
)
SELECT sh.g, sh.sha, coalesce(sh.linked, m.pull_request) AS pull_request,
       (coalesce(sh.linked, m.pull_request) IS NOT NULL
        OR (sh.authored_at IS NOT NULL AND sh.parent_count < 2)) AS is_change,
       sh.authored_at,
       CASE WHEN sh.linked IS NULL THEN split_part(sh.message, chr(10), 1) END AS subject,
       CASE WHEN sh.named_service IS NULL THEN sh.files END AS files
FROM shipped AS sh
-- (a commit linked to a pull request needs no merge lookup)
LEFT JOIN merges AS m ON m.repo = sh.repo AND m.sha = CASE WHEN sh.linked IS NULL THEN sh.sha END;

CREATE OR REPLACE TABLE deployment_commits AS
SELECT s.source, s.id AS deployment_id, d.sha
FROM derive_shipped AS d
JOIN derive_series AS s ON s.g = d.g;
