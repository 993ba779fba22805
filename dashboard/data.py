"""The dashboard's reads: a read-only warehouse connection, and the warehouse stamp.

Results are cached per (warehouse path, warehouse stamp, filters): the stamp changes whenever
the file is written (an import, a sync, the demo), so the dashboard never shows stale figures.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse import WarehouseError, connect
from warehouse.snapshot import snapshot_path

__all__ = [
    "DEFAULT_DB",
    "WarehouseUnavailable",
    "read_only",
    "warehouse_path",
    "warehouse_stamp",
]

DEFAULT_DB = "pitwall.duckdb"
"""The warehouse read when PITWALL_DB is not set (the CLI's default too)."""


class WarehouseUnavailable(Exception):
    """The warehouse cannot be read: missing, out of date, never derived, or not published yet."""


def warehouse_path() -> Path:
    """The warehouse file: PITWALL_DB, else ./pitwall.duckdb."""
    return Path(os.environ.get("PITWALL_DB") or DEFAULT_DB).absolute()


def warehouse_stamp(path: Path) -> str:
    """A value that changes whenever the warehouse file, its write-ahead log or its read snapshot
    (what the dashboard reads: warehouse.session) is written."""
    parts = []
    for candidate in (path, path.with_name(path.name + ".wal"), snapshot_path(path)):
        if candidate.exists():
            info = candidate.stat()
            parts.append(f"{info.st_mtime_ns}:{info.st_size}")
    return "/".join(parts)


@contextmanager
def read_only(db: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, closed afterwards; failures as WarehouseUnavailable."""
    try:
        con = connect(db, read_only=True)
    except WarehouseError as error:
        raise WarehouseUnavailable(str(error)) from None
    try:
        yield con
    except duckdb.CatalogException as error:
        first_line = str(error).splitlines()[0]
        raise WarehouseUnavailable(
            f"{db}: cannot read the metrics ({first_line}); run `pitwall import` or `pitwall demo` to rebuild them"
        ) from None
    finally:
        con.close()
