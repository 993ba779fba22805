-- The flow of every pull request opened by a person (bots left out): one row per pull request
-- id, with the moments of its flow and the durations between them in hours (docs/metrics.md,
-- "Developer experience"). Reviews count when given by someone other than the author and not by
-- a bot, and, for a merged pull request, submitted by its merge. Parameters: $bots.
-- Relations: person_teams (person_teams.sql). Tables: pull_request_starts, deployment_changes.
WITH pull_requests_by_id AS (
    SELECT * FROM unique_pull_requests
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
    SELECT pull_request, reviewer AS first_reviewer, submitted_at AS first_review_at,
           count(*) OVER (PARTITION BY pull_request) AS reviews
    FROM counted_reviews
    QUALIFY row_number() OVER (PARTITION BY pull_request ORDER BY submitted_at, reviewer) = 1
),
shipments AS (
    -- The first production deployment that shipped the pull request (deployment_changes).
    SELECT c.pull_request, p.id AS deployment_id, p.deployed_at
    FROM deployment_changes AS c
    JOIN prod_deployments AS p ON p.source = c.source AND p.id = c.deployment_id
    WHERE c.pull_request IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY c.pull_request ORDER BY p.deployed_at, p.id) = 1
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
