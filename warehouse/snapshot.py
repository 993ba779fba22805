"""The published read snapshot: `<db>.snapshot`, a consistent copy of the warehouse for readers.

DuckDB lets one process hold a file for writing and then blocks every other process, readers
included. So readers never open the warehouse itself: they open its snapshot read-only. The
holder of the writer lock publishes: it copies the quiet warehouse file to `<db>.snapshot.tmp`,
records in the copy (table pitwall_snapshot) which state of the warehouse it was taken from,
and renames it over `<db>.snapshot` (atomic: a reader opens the old snapshot or the new one).
A warehouse whose derived tables are pending (a sync in the middle) is never published.
"""
from __future__ import annotations

import os
import shutil
from contextlib import closing
from dataclasses import astuple, dataclass
from pathlib import Path

import duckdb

from warehouse.db import WarehouseError, open_file
from warehouse.files import fsync_path
from warehouse.pending import derive_is_pending

__all__ = ["snapshot_path", "publish", "is_current", "needs_publishing", "Fingerprint"]

RECORD_ORIGIN = """
CREATE OR REPLACE TABLE pitwall_snapshot AS
SELECT $warehouse::VARCHAR AS warehouse, $inode::UBIGINT AS inode, $size::UBIGINT AS size,
       $mtime_ns::BIGINT AS mtime_ns, now() AS published_at
"""
READ_ORIGIN = "SELECT inode, size, mtime_ns FROM pitwall_snapshot"


@dataclass(frozen=True)
class Fingerprint:
    """Which state of the warehouse file: inode, size and modification time."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Fingerprint | None:
        """The fingerprint of the file at `path`, None when there is none."""
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        return cls(info.st_ino, info.st_size, info.st_mtime_ns)


def snapshot_path(path: Path) -> Path:
    """The read snapshot of the warehouse at `path`."""
    return path.with_name(path.name + ".snapshot")


def _wal_path(file: Path) -> Path:
    return file.with_name(file.name + ".wal")


def is_current(snapshot: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Whether the open snapshot was published from the warehouse file as it is now (no WAL)."""
    if _wal_path(path).exists():
        return False
    try:
        recorded = snapshot.execute(READ_ORIGIN).fetchone()
    except duckdb.CatalogException:
        return False
    current = Fingerprint.of(path)
    return current is not None and recorded == astuple(current)


def needs_publishing(path: Path) -> bool:
    """Whether the snapshot is missing or was published from another state of the warehouse."""
    snapshot = snapshot_path(path)
    if not snapshot.exists():
        return True
    try:
        con = open_file(snapshot, read_only=True)
    except WarehouseError:        # not a DuckDB file any more: publish a good one over it
        return True
    with closing(con):
        return not is_current(con, path)


def publish(path: Path) -> bool:
    """Publish the warehouse at `path` as its read snapshot; False (nothing done) while derive is
    pending. The caller holds the writer lock and has no connection to `path` open."""
    with closing(open_file(path, read_only=False)) as con:    # replays a WAL a killed writer left
        if derive_is_pending(con):
            return False
        con.execute("CHECKPOINT")
    origin = Fingerprint.of(path)
    snapshot = snapshot_path(path)
    staging = snapshot.with_name(snapshot.name + ".tmp")
    for leftover in (staging, _wal_path(staging)):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(path, staging)
    with closing(open_file(staging, read_only=False)) as con:
        con.execute(RECORD_ORIGIN, {"warehouse": str(path), "inode": origin.inode, "size": origin.size,
                                    "mtime_ns": origin.mtime_ns})
    fsync_path(staging)
    os.replace(staging, snapshot)
    fsync_path(path.parent)
    return True
