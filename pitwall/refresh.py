"""Recompute the derived tables after data changed (imports, syncs, the demo)."""
from __future__ import annotations

import duckdb

from metrics.derive import derive
from metrics.settings import MetricsSettings


def refresh_derived(con: duckdb.DuckDBPyConnection, settings: MetricsSettings | None = None) -> None:
    """Rebuild deployment changes, rollbacks, incident attribution and rework flags."""
    derive(con, settings or MetricsSettings())
