-- CI figures per (group, repository, workflow) over the runs of relation devex_ci_runs.
-- Success rate over the runs with a verdict: not still running (queued, in_progress, waiting,
-- pending, requested) and not cancelled or skipped. Durations of successful runs only, as
-- [p50, p75, p90] lists in minutes. Re-run rate: runs whose attempt is above 1, over all runs.
SELECT
    grp AS "group", repo, workflow,
    count(*) AS runs,
    count(*) FILTER (WHERE state = 'success')
        / nullif(count(*) FILTER (WHERE state NOT IN ('queued', 'in_progress', 'waiting', 'pending',
                                                     'requested', 'cancelled', 'skipped')), 0)
        AS success_rate,
    quantile_cont(minutes, [0.5, 0.75, 0.9]) FILTER (WHERE state = 'success') AS duration,
    count(*) FILTER (WHERE attempt > 1) / count(*) AS rerun_rate
FROM devex_ci_runs
GROUP BY grp, repo, workflow
