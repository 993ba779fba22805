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

The commit walk of rule 3 runs on integer arrays (metrics.shipments, metrics.reach), in a thread
of its own while DuckDB builds the tables that do not need it (pull requests, rollbacks): numpy
and DuckDB both leave Python's lock while they work, so the two share the cores. The steps
hand over temporary tables (derive_series, derive_shipments, derive_shipped), each join on
integers where it can. bench/derive_steps.py shows where the time goes.
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics.series import find_rollbacks
from metrics.settings import MetricsSettings
from metrics.shipments import read_walk, store_shipments, walk
from metrics.sql_files import sql
from warehouse.transaction import transaction

__all__ = ["derive", "DeriveSummary"]

SETTINGS_NOW = """
SELECT current_setting('preserve_insertion_order'), current_setting('force_compression')
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


def _store(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Replace `table` with `rows` (all VARCHAR columns)."""
    frame = pd.DataFrame(rows, columns=columns, dtype="object")
    con.register("derive_rows", frame)
    try:
        select = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {select} FROM derive_rows")
    finally:
        con.unregister("derive_rows")


@contextmanager
def _fast_writes(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Write the derived tables in any row order (less memory on big joins) and uncompressed
    (compressing millions of fresh rows costs more than the rest of a step)."""
    before = con.execute(SETTINGS_NOW).fetchall()[0]
    con.execute("SET preserve_insertion_order = false; SET force_compression = 'uncompressed'")
    yield  # on an error the settings stay: the failed transaction can run nothing, not even SET
    con.execute("SET preserve_insertion_order = $value", {"value": before[0]})
    con.execute("SET force_compression = $value", {"value": before[1]})


def derive(con: duckdb.DuckDBPyConnection, settings: MetricsSettings | None = None) -> DeriveSummary:
    """Rebuild every derived table in one transaction (readers see the old or the new set)."""
    settings = settings or MetricsSettings()
    prod_envs = [name.lower() for name in settings.production_environments]
    rework_labels = [label.lower() for label in settings.rework_labels]
    with _fast_writes(con), transaction(con):
        con.execute("DELETE FROM derive_pending")  # warehouse.pending: a sync's derive is done
        _store(con, "production_environment_names", ["name"], [(name,) for name in prod_envs])
        con.execute(sql("repo_services"))
        con.execute(sql("prod_deployments"))
        con.execute(sql("series_deployments"))
        with ThreadPoolExecutor(max_workers=1) as walker:
            shipments = walker.submit(walk, read_walk(con))
            con.execute(sql("unique_pull_requests"))
            con.execute(sql("pull_request_starts"))
            con.execute(sql("pull_request_services"))
            rollbacks = find_rollbacks(con)
            _store(con, "rollbacks", ["source", "deployment_id", "rolled_back_source", "rolled_back_id"], rollbacks)
            store_shipments(con, *shipments.result())
        con.execute(sql("first_shipments"))
        con.execute(sql("service_attribution"))
        con.execute(sql("deployment_changes"), {"rework_labels": rework_labels})
        con.execute(sql("incident_attribution"), {"window_seconds": settings.attribution_window_days * 86400})
        con.execute(sql("deployment_outcomes"))
        _store(con, "derive_people", ["id", "team"], settings.membership)
        con.execute(REPLACE_CONFIG_PEOPLE)
        con.execute("DROP TABLE derive_people; DROP VIEW repo_level_services; DROP VIEW service_teams; "
                    "DROP VIEW monorepo_prefixes; DROP MACRO under_prefix")
        con.execute("DROP TABLE derive_series; DROP TABLE derive_shipments; DROP TABLE derive_unknown_shas; "
                    "DROP TABLE derive_shipped")
        deployments = con.execute("SELECT count(*) FROM prod_deployments").fetchone()[0]
        shipped = con.execute("SELECT count(*) FROM deployment_commits").fetchone()[0]
    return DeriveSummary(deployments=deployments, shipped_commits=shipped, rollbacks=len(rollbacks))
