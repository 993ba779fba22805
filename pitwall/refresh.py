"""Recompute the derived tables after data changed (imports, syncs, the demo)."""
from __future__ import annotations

import duckdb

from metrics.derive import derive
from metrics.settings import MetricsSettings
from pitwall.settings import settings_in_force


def refresh_derived(con: duckdb.DuckDBPyConnection, settings: MetricsSettings | None = None) -> None:
    """Rebuild deployment changes, rollbacks, incident attribution, rework flags and the people
    of the configuration, with `settings`, else the settings in force (pitwall.toml)."""
    derive(con, settings or settings_in_force().metrics)
