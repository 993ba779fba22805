"""The DuckDB warehouse file: opening it and bringing its schema up to date."""
from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.transaction import transaction

__all__ = ["connect", "migrations", "schema_version", "WarehouseError"]

MIGRATIONS = Path(__file__).parent / "migrations"


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


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at `path`, creating and migrating it when opened for writing.

    Every connection works in UTC, so TIMESTAMPTZ values come back as UTC datetimes.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"{path}: no warehouse here (run `pitwall import` or `pitwall demo` first)")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        raise WarehouseError(f"{path}: cannot open the warehouse: {error}") from None
    con.execute("SET TimeZone = 'UTC'")
    known = migrations()
    applied = applied_versions(con)
    current, newest = max(applied, default=0), known[-1][0]
    if current > newest:
        con.close()
        raise WarehouseError(
            f"{path}: warehouse schema version {current} is newer than this Pitwall knows "
            f"({newest}); upgrade Pitwall"
        )
    missing = [(version, sql) for version, sql in known if version not in applied]
    if missing:
        if read_only:
            con.close()
            raise WarehouseError(f"{path}: warehouse schema is out of date; open it once for writing")
        _migrate(con, missing)
    return con


def _migrate(con: duckdb.DuckDBPyConnection, missing: list[tuple[int, str]]) -> None:
    """Apply the missing migrations in order, each in its own transaction."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ)")
    for version, sql in missing:
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
