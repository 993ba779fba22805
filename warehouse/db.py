"""The DuckDB warehouse file: opening one file and bringing its schema up to date.

`warehouse.session` decides which file a command opens (the warehouse itself for writers, its
published read snapshot for readers); this module opens that file and checks its schema.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from warehouse.transaction import transaction

__all__ = ["open_file", "check_schema", "migrations", "schema_version", "WarehouseError", "MEMORY_VARIABLE"]

MIGRATIONS = Path(__file__).parent / "migrations"

MEMORY_VARIABLE = "PITWALL_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"
READ_ONLY_ALIAS = "warehouse"
SPILL_SUFFIX = ".spill"   # a read-only file's spill folder (DuckDB's default, <file>.tmp, is for writers)
ATTACH_READ_ONLY = "ATTACH '{file}' AS " + READ_ONLY_ALIAS + " (READ_ONLY)"
MEMORY_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
MEMORY_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
                "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
SMALLEST_MEMORY_LIMIT = 64 * 10**6   # far less than a query needs: DuckDB fails at once
# DuckDB draws a progress bar on stdout during a statement longer than 2 s (a migration, a big
# query): it would land inside a command's JSON or CSV output.
QUIET = "SET enable_progress_bar = false"


class WarehouseError(Exception):
    """The warehouse file cannot be used (newer schema, not a warehouse, locked)."""


def migrations() -> list[tuple[int, str]]:
    """The numbered SQL migrations shipped with Pitwall, in order: (version, sql)."""
    found = [(int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8"))
             for entry in MIGRATIONS.glob("*.sql")]
    return sorted(found)


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The migrations applied to this warehouse (none for an empty file)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this warehouse (0 for an empty file)."""
    return max(applied_versions(con), default=0)


def memory_limit() -> str:
    """DuckDB's memory limit: PITWALL_MEMORY_LIMIT (e.g. 2GB, 512MB), else 2GB."""
    value = os.environ.get(MEMORY_VARIABLE, "").strip() or DEFAULT_MEMORY_LIMIT
    size = MEMORY_SIZE.match(value)
    if not size or float(size[1]) * MEMORY_UNITS[size[2].lower()] < SMALLEST_MEMORY_LIMIT:
        raise WarehouseError(f"{MEMORY_VARIABLE}={value!r}: expected a size of 64MB or more, such as 2GB or 512MB")
    return value


def open_file(file: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file `file`, in UTC and under the memory limit; no schema check.

    Every connection works in UTC, so TIMESTAMPTZ values come back as UTC datetimes. A read-only
    file is attached to a database of its own: DuckDB shares one open database per path within a
    process, which would keep serving a replaced snapshot while any connection to it is open.
    """
    limit = memory_limit()
    try:
        if read_only:
            con = duckdb.connect(":memory:")
            con.execute(ATTACH_READ_ONLY.format(file=_quoted(file)))
            con.execute(f"USE {READ_ONLY_ALIAS}")
            con.execute(f"SET temp_directory = '{_quoted(file.with_name(file.name + SPILL_SUFFIX))}'")
        else:
            con = duckdb.connect(str(file))
    except duckdb.Error as error:
        raise WarehouseError(f"{file}: cannot open the warehouse: {str(error).splitlines()[0]}") from None
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{limit}'")   # checked against MEMORY_SIZE above
    con.execute(QUIET)
    return con


def _quoted(file: Path) -> str:
    """`file` for a single-quoted SQL string."""
    return str(file).replace("'", "''")


def check_schema(con: duckdb.DuckDBPyConnection, name: Path, *, read_only: bool) -> None:
    """Refuse a warehouse newer than this Pitwall; migrate an older one (refused when read-only).

    `name` is the warehouse the user named, for the messages. Closes `con` when it refuses.
    """
    known = migrations()
    applied = applied_versions(con)
    current, newest = max(applied, default=0), known[-1][0]
    if current > newest:
        con.close()
        raise WarehouseError(
            f"{name}: warehouse schema version {current} is newer than this Pitwall knows "
            f"({newest}); upgrade Pitwall"
        )
    missing = [(version, sql) for version, sql in known if version not in applied]
    if missing:
        if read_only:
            con.close()
            raise WarehouseError(f"{name}: warehouse schema is out of date; open it once for writing")
        _migrate(con, missing)


def _migrate(con: duckdb.DuckDBPyConnection, missing: list[tuple[int, str]]) -> None:
    """Apply the missing migrations in order, each in its own transaction."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ)")
    for version, sql in missing:
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
