"""Derived tables behind every DORA figure, rebuilt from the canonical tables.

prod_deployments      successful production deployments in series order, service and team resolved
                      (NULL when a monorepo deployment counts for several: see deployment_services)
deployment_attempts   production deployments that did not succeed (data health)
deployment_commits    (deployment, sha): the commits each deployment shipped (rule 3)
deployment_services   (deployment, service, team): the services each deployment counts for (12)
pull_request_services (pull request, service, team): the services each pull request counts for
unique_pull_requests  one row per pull request id (a provider's row wins over a local clone's)
pull_request_starts   (pull request, first_authored_at): when its work began (rule 4)
deployment_changes    the change units each deployment shipped, with start and lead time (4, 5, 11)
rollbacks             (rollback, rolled-back deployment) pairs (rule 8)
incident_attribution  the deployment each incident is attributed to, or NULL (rule 7)
deployment_outcomes   per deployment: rollback, failed, recovered_at, rework (9 to 11)

It also rewrites the `people` rows of source "config" from the settings' team membership.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

import duckdb
import pandas as pd

from metrics.series import SeriesDeployment, find_rollbacks, walk_series
from metrics.settings import MetricsSettings
from metrics.sql_files import sql
from warehouse.transaction import transaction

__all__ = ["derive", "DeriveSummary"]

SERIES_DEPLOYMENTS = """
SELECT repo, environment, source, id, sha, explicit_commits
FROM prod_deployments
ORDER BY repo, environment, seq
"""

REPO_COMMIT_GRAPH = """
SELECT repo, sha, parents
FROM commits
WHERE repo IN (SELECT DISTINCT repo FROM prod_deployments)
ORDER BY repo
"""

MARK_WITHOUT_BASELINE = """
ALTER TABLE prod_deployments ADD COLUMN has_baseline BOOLEAN DEFAULT true;
UPDATE prod_deployments AS p SET has_baseline = false
FROM derive_without_baseline AS w
WHERE p.source = w.source AND p.id = w.deployment_id;
"""

REPLACE_CONFIG_PEOPLE = """
DELETE FROM people WHERE source = 'config';
INSERT INTO people (source, id, team) SELECT 'config', id, team FROM derive_people;
"""


@dataclass(frozen=True)
class DeriveSummary:
    """Sizes of what derive produced."""

    deployments: int
    shipped_commits: int
    rollbacks: int


def _load_graph(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, list[str]]]:
    """parents_of per repo, for the repos that have production deployments."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for repo, sha, parents in con.execute(REPO_COMMIT_GRAPH).fetchall():
        graph[repo][sha] = parents or []
    return graph


def _store(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Replace `table` with `rows` (all VARCHAR columns)."""
    frame = pd.DataFrame(rows, columns=columns, dtype="object")
    con.register("derive_rows", frame)
    try:
        select = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {select} FROM derive_rows")
    finally:
        con.unregister("derive_rows")


def _walk_all_series(con: duckdb.DuckDBPyConnection) -> tuple[list, list, list]:
    """Walk every series once: shipped commits, deployments without baseline, rollbacks."""
    graph = _load_graph(con)
    shipped: list[tuple[str, str, str]] = []
    without_baseline: list[tuple[str, str]] = []
    rollbacks: list[tuple[str, str, str, str]] = []
    rows = con.execute(SERIES_DEPLOYMENTS).fetchall()
    for (repo, _environment), series_rows in groupby(rows, key=lambda r: (r[0], r[1])):
        series = [SeriesDeployment(source, id_, sha, explicit) for _, _, source, id_, sha, explicit in series_rows]
        result = walk_series(series, graph.get(repo, {}))
        shipped.extend(result.shipped)
        without_baseline.extend(result.without_baseline)
        rollbacks.extend((rollback.source, rollback.id, undone.source, undone.id)
                         for rollback, undone in find_rollbacks(series))
    return shipped, without_baseline, rollbacks


def derive(con: duckdb.DuckDBPyConnection, settings: MetricsSettings | None = None) -> DeriveSummary:
    """Rebuild every derived table in one transaction (readers see the old or the new set)."""
    settings = settings or MetricsSettings()
    prod_envs = [name.lower() for name in settings.production_environments]
    rework_labels = [label.lower() for label in settings.rework_labels]
    with transaction(con):
        _store(con, "production_environment_names", ["name"], [(name,) for name in prod_envs])
        con.execute(sql("repo_services"))
        con.execute(sql("prod_deployments"))
        shipped, without_baseline, rollbacks = _walk_all_series(con)
        _store(con, "deployment_commits", ["source", "deployment_id", "sha"], shipped)
        _store(con, "derive_without_baseline", ["source", "deployment_id"], without_baseline)
        _store(con, "rollbacks", ["source", "deployment_id", "rolled_back_source", "rolled_back_id"], rollbacks)
        con.execute(sql("first_shipments"))
        con.execute(MARK_WITHOUT_BASELINE)
        con.execute("DROP TABLE derive_without_baseline")
        con.execute(sql("service_attribution"))
        con.execute(sql("unique_pull_requests"))
        con.execute(sql("pull_request_starts"))
        con.execute(sql("deployment_changes"), {"rework_labels": rework_labels})
        con.execute(sql("incident_attribution"), {"window_seconds": settings.attribution_window_days * 86400})
        con.execute(sql("deployment_outcomes"))
        _store(con, "derive_people", ["id", "team"], settings.membership)
        con.execute(REPLACE_CONFIG_PEOPLE)
        con.execute("DROP TABLE derive_people; DROP VIEW repo_level_services; DROP VIEW service_teams")
        deployments = con.execute("SELECT count(*) FROM prod_deployments").fetchone()[0]
    return DeriveSummary(deployments=deployments, shipped_commits=len(shipped), rollbacks=len(rollbacks))
