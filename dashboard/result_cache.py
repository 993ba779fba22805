"""Results that outlive the process: the dashboard's figures on disk, keyed by the read snapshot.

A fresh dashboard process (a restart, a new worker) would otherwise recompute the figures of a
snapshot an earlier process already read. An entry is found by the snapshot file's identity
(device, inode, size, modification time: every publish renames a new file into place), the
arguments and a digest of the code that computes the figures, so a new snapshot or new code never
finds an old entry. It holds the snapshot's pitwall_snapshot origin too: it is used only while
the warehouse is still in that state (no write since the publish), exactly when a reader would
open that snapshot without publishing first. A hit opens no DuckDB connection at all.

Entries live in `<warehouse>.cache/` (PITWALL_RESULT_CACHE names another folder); a folder this
user does not own, or others may write, is not used: entries are pickles. The cache is best
effort: when it cannot be read or written, the figures are computed.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from collections.abc import Callable
from dataclasses import astuple
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from dashboard.data import read_only
from warehouse.snapshot import Fingerprint, snapshot_path

__all__ = ["CACHE_VARIABLE", "MAX_ENTRIES", "cache_folder", "cached_read", "code_digest"]

CACHE_VARIABLE = "PITWALL_RESULT_CACHE"
CACHE_SUFFIX = ".cache"
MAX_ENTRIES = 64
"""Entries kept per folder; the least recently written go first."""
CODE_PACKAGES = ("metrics", "scorecards", "dashboard", "warehouse")
"""The packages whose source (Python and SQL) the cached figures come from."""
SNAPSHOT_ORIGIN = "SELECT inode, size, mtime_ns FROM pitwall_snapshot"

T = TypeVar("T")


def cache_folder(db: str) -> Path:
    """Where the entries of warehouse `db` live: PITWALL_RESULT_CACHE, else `<db>.cache`."""
    return Path(os.environ.get(CACHE_VARIABLE) or db + CACHE_SUFFIX)


@cache
def code_digest() -> str:
    """A digest of the source of CODE_PACKAGES and of the DuckDB and pandas versions: any change
    to how figures are computed changes it."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"duckdb {duckdb.__version__} pandas {pd.__version__}\0".encode())
    for package in CODE_PACKAGES:
        for file in sorted((root / package).rglob("*")):
            if file.suffix in (".py", ".sql"):
                digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _identity(file: Path) -> tuple[int, int, int, int] | None:
    try:
        info = file.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def _current_origin(warehouse: Path) -> tuple | None:
    """The origin a snapshot published from the warehouse as it is now records (None with a WAL)."""
    if warehouse.with_name(warehouse.name + ".wal").exists():
        return None
    fingerprint = Fingerprint.of(warehouse)
    return None if fingerprint is None else astuple(fingerprint)


def _snapshot_origin(con: duckdb.DuckDBPyConnection) -> tuple | None:
    try:
        return con.execute(SNAPSHOT_ORIGIN).fetchone()
    except duckdb.CatalogException:   # not a published snapshot
        return None


def _private(folder: Path) -> bool:
    """Whether `folder` exists, is this user's and nobody else may write in it (creating it so)."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def _read(entry: Path) -> tuple[tuple | None, object]:
    """(origin, value) stored in `entry`; (None, None) when it is missing or unreadable."""
    try:
        with entry.open("rb") as file:
            origin, value = pickle.load(file)
            return origin, value
    except Exception:   # missing, truncated or from other code: any failure means "compute it"
        return None, None


def _write(folder: Path, entry: Path, stored: tuple) -> None:
    """Write `entry` atomically (a reader sees all of it or none), then drop the oldest beyond MAX_ENTRIES."""
    staging: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=folder, suffix=".tmp")
        staging = Path(name)
        with os.fdopen(handle, "wb") as file:
            pickle.dump(stored, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(staging, entry)
        entries = sorted(folder.glob("*.pickle"), key=lambda path: path.stat().st_mtime_ns, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)
    except OSError:
        if staging is not None:
            staging.unlink(missing_ok=True)


def cached_read(db: str, name: str, arguments: tuple, compute: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """`compute(con)` over a read-only connection to warehouse `db` (dashboard.data.read_only), or
    what it returned for the same `name`, `arguments`, snapshot and code before.

    `arguments` must have a stable repr (dates, strings, frozen dataclasses of those).
    """
    warehouse, folder = Path(db), cache_folder(db)
    snapshot = _identity(snapshot_path(warehouse))
    entry = None
    if snapshot is not None and _private(folder):
        key = hashlib.sha256(repr((name, snapshot, arguments, code_digest())).encode()).hexdigest()
        entry = folder / f"{name}-{key}.pickle"
        origin, value = _read(entry)
        if origin is not None and origin == _current_origin(warehouse):
            return value
    with read_only(db) as con:
        value = compute(con)
        origin = _snapshot_origin(con)
    # Kept only when the connection surely read the snapshot the key names: none was published
    # in between (opening the warehouse may publish one).
    if entry is not None and origin is not None and _identity(snapshot_path(warehouse)) == snapshot:
        _write(folder, entry, (origin, value))
    return value
