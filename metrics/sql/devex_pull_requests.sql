-- The flow of every pull request opened by a person (bots left out) that the figures of the
-- periods (devex_periods.sql) read: merged in one of them ([$since, $until) spans them all) or
-- open at the end of one. One row per pull request id, with the moments of its flow and the
-- durations between them in hours (docs/metrics.md, "Developer experience"); none of them depends
-- on the period. Reviews count when given by someone other than the author and not by a bot, and,
-- for a merged pull request, submitted by its merge. Parameters: $bots, $since, $until,
-- $period_ends. Relation: person_teams (its SQL file). Tables: pull_request_starts,
-- deployment_changes.
WITH bot_authors AS (
    -- The bots among the authors, tested on pull_requests (compressed: the test runs once per
    -- distinct name); unique_pull_requests holds some of its rows.
    SELECT DISTINCT author FROM pull_requests WHERE is_bot(author, $bots)
),
pull_requests_by_id AS (
    -- Merged in the span, or open at the end of a period ($period_ends) and not merged in the
    -- span (two disjoint parts: each scan filters its own; every period ends after $since). Key k
    -- (the row's number in the table) stands for the id in the joins below: numbers join faster.
    SELECT * FROM (
        SELECT rowid AS k, * FROM unique_pull_requests
        WHERE merged_at >= $since AND merged_at < $until
        UNION ALL
        SELECT rowid AS k, * FROM unique_pull_requests
        WHERE created_at < $until AND (merged_at IS NULL OR merged_at >= $until)
          AND (closed_at IS NULL OR closed_at > $since)
          AND len(list_filter($period_ends::TIMESTAMPTZ[],
                              lambda e: created_at < e AND (closed_at IS NULL OR closed_at >= e))) > 0
    ) AS pr
    WHERE coalesce(pr.author NOT IN (SELECT author FROM bot_authors), true)   -- no author: no bot
),
counted_reviews AS (
    SELECT pr.k, r.reviewer, r.submitted_at
    FROM reviews AS r
    JOIN pull_requests_by_id AS pr ON pr.id = r.pull_request
    WHERE person_key(r.reviewer) <> person_key(pr.author)
      AND NOT is_bot(r.reviewer, $bots)
      AND (pr.merged_at IS NULL OR r.submitted_at <= pr.merged_at)
),
first_reviews AS (
    -- The earliest review (ties: by reviewer) and the number of reviews.
    SELECT k, first.reviewer AS first_reviewer, first.submitted_at AS first_review_at, reviews
    FROM (
        SELECT k, min({'submitted_at': submitted_at, 'reviewer': reviewer}) AS first, count(*) AS reviews
        FROM counted_reviews
        GROUP BY k
    )
),
shipments AS (
    -- The first production deployment that shipped the pull request (deployment_changes; ties:
    -- by id). Its time comes apart: the figures read only that, without the costlier pair.
    SELECT pr.k, min(p.deployed_at) AS deployed_at,
           min({'deployed_at': p.deployed_at, 'deployment_id': p.id}).deployment_id AS deployment_id
    FROM deployment_changes AS c
    JOIN pull_requests_by_id AS pr ON pr.id = c.pull_request
    JOIN prod_deployments AS p ON p.source = c.source AND p.id = c.deployment_id
    GROUP BY pr.k
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
    LEFT JOIN first_reviews AS fr ON fr.k = pr.k
    LEFT JOIN shipments AS sh ON sh.k = pr.k
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
