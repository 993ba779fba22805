"""Opening the warehouse: writers hold the writer lock, readers open the published snapshot.

- `writing(path)`: takes the writer lock (waiting for the holder, PITWALL_LOCK_TIMEOUT at most),
  opens the warehouse read-write (creating and migrating it), publishes a snapshot first when
  readers have none (or a stale one), and publishes again when the block ends without error.
- `connect(path, read_only=True)`: the newest snapshot, read-only. A missing or stale snapshot
  is published first when the writer lock is free; when it is held, the snapshot is read as it
  is: a reader never waits for a writer.
- `connect(path)`: the warehouse itself, read-write, without the lock (tests, benchmarks).
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.db import WarehouseError, check_schema, open_file
from warehouse.lock import WriterLock, current_command, lock_timeout
from warehouse.snapshot import is_current, needs_publishing, publish, snapshot_path

__all__ = ["connect", "writing"]


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at `path`: read-write (created and migrated), or its read snapshot."""
    path = Path(path)
    if read_only:
        return _read_snapshot(path)
    con = open_file(path, read_only=False)
    check_schema(con, path, read_only=False)
    return con


@contextmanager
def writing(path: str | Path, *, command: str | None = None,
            on_wait: Callable[[str], None] = _say) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse at `path` open for writing by `command` (default: this process's command
    line) under the writer lock; publishes the read snapshot when the block succeeds."""
    path = Path(path)
    lock = WriterLock(path, command or current_command())
    lock.acquire(lock_timeout(), on_wait)
    try:
        con = connect(path)
        if needs_publishing(path):
            con.close()
            publish(path)
            con = connect(path)
        try:
            yield con
        finally:
            con.close()
        if needs_publishing(path):
            publish(path)
    finally:
        lock.release()


def _read_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """The snapshot of `path` read-only, published first when it is stale and nobody writes."""
    snapshot = snapshot_path(path)
    if not path.exists() and not snapshot.exists():
        raise WarehouseError(f"{path}: no warehouse here (run `pitwall import` or `pitwall demo` first)")
    if not path.exists():
        return _checked(open_file(snapshot, read_only=True), path)
    if snapshot.exists():
        try:
            con = open_file(snapshot, read_only=True)
        except WarehouseError:        # not a DuckDB file any more: publish a good one over it
            con = None
        if con is not None and is_current(con, path):
            return _checked(con, path)
        if con is not None:
            con.close()
    why_not = _publish_unless_writing(path)
    if not snapshot.exists():
        raise WarehouseError(f"{path}: {why_not}")
    return _checked(open_file(snapshot, read_only=True), path)


def _checked(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyConnection:
    """`con` to the snapshot of `path`, once its schema is known to be this Pitwall's."""
    check_schema(con, path, read_only=True)
    return con


def _publish_unless_writing(path: Path) -> str:
    """Publish the snapshot when the writer lock is free; returns why there may be none."""
    lock = WriterLock(path, current_command())
    try:
        acquired = lock.try_acquire()
    except WarehouseError as error:
        return f"cannot publish a read snapshot: {error}"
    if not acquired:
        return f"{lock.holder()} is writing the warehouse and it has no read snapshot yet; try again when it is done"
    try:
        if publish(path):
            return "published"
        return "a sync did not finish (derived tables pending) and there is no earlier snapshot; run it again"
    except (WarehouseError, duckdb.Error, OSError) as error:
        return f"cannot publish a read snapshot: {str(error).splitlines()[0]}"
    finally:
        lock.release()
