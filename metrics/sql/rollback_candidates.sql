-- The deployments that may be rollbacks (METRICS.md rule 8), per series (repo + environment) in
-- seq order: each one whose sha differs from its predecessor's and was deployed earlier in the
-- series. With it: its predecessor (what it rolls back), and of the run of equal shas before it
-- (the predecessor and its redeploys), where that run starts (previous_run_seq) and whether the
-- sha that run's start replaced is this deployment's (re_ships_undone). metrics/series.py decides.
WITH steps AS (
    SELECT repo, environment, seq, source, id, sha,
           lag(sha) OVER series AS previous_sha,
           lag(source) OVER series AS previous_source,
           lag(id) OVER series AS previous_id,
           min(seq) OVER (PARTITION BY repo, environment, sha) AS first_seq
    FROM prod_deployments
    WINDOW series AS (PARTITION BY repo, environment ORDER BY seq)
),
run_starts AS (
    SELECT *,
           lag(seq) OVER series AS previous_run_seq,
           lag(previous_sha) OVER series = sha AS re_ships_undone
    FROM steps
    WHERE previous_sha IS DISTINCT FROM sha
    WINDOW series AS (PARTITION BY repo, environment ORDER BY seq)
)
SELECT repo, environment, seq, source, id, previous_source, previous_id, previous_run_seq,
       coalesce(re_ships_undone, false) AS re_ships_undone
FROM run_starts
WHERE previous_sha IS NOT NULL AND first_seq < seq
ORDER BY repo, environment, seq
