"""Derived tables pending (table derive_pending): set before a multi-batch sync, cleared by derive."""
from __future__ import annotations

import duckdb

__all__ = ["mark_derive_pending", "derive_is_pending"]

MARK = "INSERT INTO derive_pending VALUES (now(), ?)"
TABLE_EXISTS = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'derive_pending'"
ANY_PENDING = "SELECT count(*) FROM derive_pending"


def mark_derive_pending(con: duckdb.DuckDBPyConnection, command: str) -> None:
    """Record that `command` is about to change canonical data the derived tables must follow.

    Commits at once (outside a transaction), so a kill after any later batch leaves it set.
    """
    con.execute(MARK, [command])


def derive_is_pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a sync changed canonical data and the derived tables were not rebuilt since."""
    if not con.execute(TABLE_EXISTS).fetchone()[0]:
        return False
    return con.execute(ANY_PENDING).fetchone()[0] > 0
