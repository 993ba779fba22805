-- The flow of every pull request opened by a person (bots left out) that the window's figures
-- read: merged in [$since, $until) or open at $until. One row per pull request id, with the
-- moments of its flow and the durations between them in hours (docs/metrics.md, "Developer
-- experience"). Reviews count when given by someone other than the author and not by a bot, and,
-- for a merged pull request, submitted by its merge. Parameters: $bots, $since, $until.
-- Relations: person_teams (person_teams.sql). Tables: pull_request_starts, deployment_changes.
WITH pull_requests_by_id AS (
    -- Merged in the window, or open at its end (two disjoint parts: each scan filters its own).
    SELECT * FROM (
        SELECT * FROM unique_pull_requests
        WHERE merged_at >= $since AND merged_at < $until
        UNION ALL
        SELECT * FROM unique_pull_requests
        WHERE created_at < $until AND (merged_at IS NULL OR merged_at >= $until)
          AND (closed_at IS NULL OR closed_at >= $until)
    )
    WHERE NOT is_bot(author, $bots)
),
counted_reviews AS (
    SELECT r.pull_request, r.reviewer, r.submitted_at
    FROM reviews AS r
    JOIN pull_requests_by_id AS pr ON pr.id = r.pull_request
    WHERE person_key(r.reviewer) <> person_key(pr.author)
      AND NOT is_bot(r.reviewer, $bots)
      AND (pr.merged_at IS NULL OR r.submitted_at <= pr.merged_at)
),
first_reviews AS (
    -- The earliest review (ties: by reviewer) and the number of reviews.
    SELECT pull_request, first.reviewer AS first_reviewer, first.submitted_at AS first_review_at, reviews
    FROM (
        SELECT pull_request, min({'submitted_at': submitted_at, 'reviewer': reviewer}) AS first,
               count(*) AS reviews
        FROM counted_reviews
        GROUP BY pull_request
    )
),
shipments AS (
    -- The first production deployment that shipped the pull request (deployment_changes).
    SELECT pull_request, first.deployment_id, first.deployed_at
    FROM (
        SELECT c.pull_request, min({'deployed_at': p.deployed_at, 'deployment_id': p.id}) AS first
        FROM deployment_changes AS c
        JOIN prod_deployments AS p ON p.source = c.source AND p.id = c.deployment_id
        WHERE c.pull_request IN (SELECT id FROM pull_requests_by_id)
        GROUP BY c.pull_request
    )
),
moments AS (
    SELECT
        pr.source, pr.id, pr.repo, pr.number, pr.author, pr.title,
        pr.created_at,
        coalesce(pr.ready_at, pr.created_at) AS ready_at,
        pr.merged_at, pr.closed_at,
        coalesce(s.first_authored_at, pr.created_at) AS started_at,
        fr.first_review_at, fr.first_reviewer, coalesce(fr.reviews, 0) AS reviews,
        sh.deployment_id, sh.deployed_at,
        pr.additions + pr.deletions AS size,
        author_team.team AS author_team,
        reviewer_team.team AS reviewer_team
    FROM pull_requests_by_id AS pr
    LEFT JOIN pull_request_starts AS s ON s.pull_request = pr.id
    LEFT JOIN first_reviews AS fr ON fr.pull_request = pr.id
    LEFT JOIN shipments AS sh ON sh.pull_request = pr.id
    LEFT JOIN person_teams AS author_team ON author_team.person = person_key(pr.author)
    LEFT JOIN person_teams AS reviewer_team ON reviewer_team.person = person_key(fr.first_reviewer)
)
SELECT
    *,
    CASE WHEN size < 10 THEN 'XS' WHEN size < 50 THEN 'S' WHEN size < 250 THEN 'M'
         WHEN size < 1000 THEN 'L' WHEN size >= 1000 THEN 'XL' END AS size_bucket,
    author_team <> reviewer_team AS cross_team,
    hours_between(started_at, ready_at) AS coding_hours,
    -- A first review given while the pull request was still a draft: nobody waited (0 h).
    CASE WHEN first_review_at IS NOT NULL
         THEN greatest(epoch(first_review_at) - epoch(ready_at), 0) / 3600.0 END AS pickup_hours,
    hours_between(first_review_at, merged_at) AS review_hours,
    hours_between(merged_at, deployed_at) AS deploy_hours,
    hours_between(started_at, deployed_at) AS cycle_hours
FROM moments
