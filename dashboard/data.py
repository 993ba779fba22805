"""The dashboard's reads: a read-only warehouse connection and cached metric results.

Results are cached per (warehouse path, warehouse stamp, filters): the stamp changes whenever
the file is written (an import, a sync, the demo), so the dashboard never shows stale figures.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard.filters import Filters
from metrics.dora import dora_table, known_groups, weekly_series
from metrics.health import data_health
from warehouse import WarehouseError, connect
from warehouse.snapshot import snapshot_path

__all__ = [
    "DEFAULT_DB",
    "Overview",
    "WarehouseUnavailable",
    "load_all_groups",
    "load_groups",
    "load_overview",
    "load_table",
    "read_only",
    "warehouse_path",
    "warehouse_stamp",
]

DEFAULT_DB = "pitwall.duckdb"
"""The warehouse read when PITWALL_DB is not set (the CLI's default too)."""


class WarehouseUnavailable(Exception):
    """The warehouse cannot be read: missing, out of date, never derived, or not published yet."""


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows for one set of filters."""

    current: pd.DataFrame    # dora_table by org over the window: one row, or none without deployments
    previous: pd.DataFrame   # the same over the previous period of equal length
    weekly: pd.DataFrame     # weekly_series over the window
    health: dict[str, int]   # data_health over the window


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


@st.cache_data(show_spinner=False, max_entries=64)
def load_overview(db: str, stamp: str, filters: Filters, tz: str = "UTC") -> Overview:
    """The overview's figures for `filters`, weeks starting Monday in `tz` (`stamp` only keys the cache)."""
    scope = {"team": filters.team, "service": filters.service}
    before = filters.previous()
    with read_only(db) as con:
        return Overview(
            current=dora_table(con, filters.since, filters.until, "org", filters.benchmark, **scope),
            previous=dora_table(con, before.since, before.until, "org", filters.benchmark, **scope),
            weekly=weekly_series(con, filters.since, filters.until, tz=tz, **scope),
            health=data_health(con, filters.since, filters.until, **scope),
        )


@st.cache_data(show_spinner=False, max_entries=64)
def load_table(db: str, stamp: str, filters: Filters, by: str) -> pd.DataFrame:
    """The DORA figures for `filters`, one row per team or service (`stamp` only keys the cache)."""
    with read_only(db) as con:
        return dora_table(con, filters.since, filters.until, by, filters.benchmark, team=filters.team,
                          service=filters.service)


@st.cache_data(show_spinner=False, max_entries=64)
def load_all_groups(db: str, stamp: str) -> dict[str, list[str]]:
    """The teams and the services the warehouse knows, keyed "team" and "service" (one connection)."""
    with read_only(db) as con:
        return {group_by: list(known_groups(con, group_by)) for group_by in ("team", "service")}


def load_groups(db: str, stamp: str, group_by: str) -> list[str]:
    """The teams or services the warehouse knows (`stamp` only keys the cache)."""
    return load_all_groups(db, stamp)[group_by]
