-- Production deployments of the span [$span_since, $until) the periods of relation
-- dora_periods(period, since, until) cover (the window, and maybe the period before it; $span_since
-- is the first period's start), one row per deployment, with its outcome. `k`: the deployment's
-- row id in prod_deployments, a compact key for its changes (metrics.dora.shared_span).
-- Shared by the DORA figures, the weekly series and data health (period_deployments.sql and grouped.sql group it).
WITH spanned AS (
    SELECT rowid AS k, source, id, repo, service, team, deployed_at, has_baseline
    FROM prod_deployments
    WHERE deployed_at >= $span_since AND deployed_at < $until
),
failed_or_rework AS (
    -- deployment_outcomes has a row per deployment; only these few are not plain successes (a
    -- deployment with recovered_at failed), so the others need no lookup. Two single-column
    -- conditions, so the scan reads the other columns of the matching rows only.
    SELECT source, deployment_id, failed, rework, recovered_at
    FROM deployment_outcomes
    WHERE failed
    UNION ALL
    SELECT source, deployment_id, failed, rework, recovered_at
    FROM deployment_outcomes
    WHERE rework AND NOT failed
)
SELECT
    p.k, p.source, p.id, p.repo, p.service, p.team, p.deployed_at, p.has_baseline,
    coalesce(o.failed, false) AS failed, coalesce(o.rework, false) AS rework,
    (epoch(o.recovered_at) - epoch(p.deployed_at)) / 3600.0 AS recovery_hours
FROM spanned AS p
LEFT JOIN failed_or_rework AS o ON o.source = p.source AND o.deployment_id = p.id
