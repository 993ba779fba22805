"""The sequential rule of a deployment series: rollbacks (METRICS.md rule 8).

A series is one repo and one production environment, its deployments in `seq` order. R is a
rollback when its sha differs from its predecessor P's and equals the sha of a deployment before
P; P is rolled back. Re-shipping the sha P itself rolled back is a roll-forward, not a rollback
(a redeploy of the same sha keeps what it rolled back).

rollback_candidates.sql finds the deployments meeting the first part with window functions; the
roll-forward exception depends on whether the start of the run before a candidate was itself a
rollback, so the candidates are decided in order here. Which commits each deployment shipped
(rule 3) is metrics.shipments' job.
"""
from __future__ import annotations

import duckdb

from metrics.sql_files import sql

__all__ = ["find_rollbacks"]


def find_rollbacks(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(source, id, rolled-back source, rolled-back id) of every rollback in table prod_deployments."""
    found: list[tuple[str, str, str, str]] = []
    rollbacks: set[tuple[str, str, int]] = set()   # (repo, environment, seq) of each rollback so far
    for (repo, environment, seq, source, id_, previous_source, previous_id, previous_run_seq,
         re_ships_undone) in con.execute(sql("rollback_candidates")).fetchall():
        if re_ships_undone and (repo, environment, previous_run_seq) in rollbacks:
            continue   # a roll-forward: the run before it rolled this sha back
        rollbacks.add((repo, environment, seq))
        found.append((source, id_, previous_source, previous_id))
    return found
