"""One transaction around a unit of work, joined by any inner unit of work on the same connection.

`with transaction(con):` begins a transaction, commits it when the block ends and rolls it back
when the block raises. A `transaction(con)` inside another on the same connection joins the outer
one: nothing commits until the outermost block ends, so a command can make an import and the
derived tables it implies one atomic change (a kill leaves the warehouse before or after, never
in between).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

__all__ = ["transaction"]

_open: set[int] = set()  # id() of the connections inside a transaction() block


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in a transaction of `con` (the caller's, when one is already open)."""
    key = id(con)
    if key in _open:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _open.add(key)
    try:
        yield con
    except BaseException:
        _open.discard(key)
        con.execute("ROLLBACK")
        raise
    _open.discard(key)
    con.execute("COMMIT")
