"""The CSV report bundle, shared by the Export page and `pitwall export`: every table as a
formula-safe CSV, and a zip of all of them with a manifest.json (file names, row counts, window,
generated_at, Pitwall version).
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.bundle_folder import replace_folder
from dashboard.safe_csv import to_safe_csv
from dashboard.scorecard_data import golden_path_table, latest_results, latest_rules
from metrics.devex import Scope, ci_table, devex_figures, new_hires_table
from metrics.dora import dora_table, weekly_series
from metrics.health import data_health, last_syncs, record_counts, unmapped_repos
from metrics.scores import score_table
from metrics.settings import MetricsSettings
from scorecards.history import service_trends

__all__ = ["MANIFEST", "TABLE_NAMES", "build_tables", "bundle_name", "foreign_entries", "manifest", "pitwall_version",
           "write_bundle", "zip_bundle"]

MANIFEST = "manifest.json"
TABLE_NAMES = (
    "dora_by_org", "dora_by_team", "dora_by_service", "dora_weekly", "dora_scores_by_team",
    "devex_by_team", "ci_health", "new_hires", "golden_paths",
    "scorecard_results", "scorecard_rules", "scorecard_history",
    "data_health", "last_syncs", "record_counts", "unmapped_repos",
)
"""The tables of a bundle, in manifest order; each is written as NAME.csv."""
BUNDLE_ZIP = re.compile(r"^pitwall-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.zip$")


def pitwall_version() -> str:
    """The installed Pitwall version ("unknown" when it runs from a plain checkout)."""
    try:
        return version("pitwall")
    except PackageNotFoundError:
        return "unknown"


def _all_rules(con: duckdb.DuckDBPyConnection, services: pd.Series) -> pd.DataFrame:
    """Every service's latest rule results, with the service as the first column."""
    frames = [latest_rules(con, name).assign(service=name) for name in sorted(set(services))]
    if not frames:
        return pd.DataFrame(columns=["service", *latest_rules(con, "").columns])
    rules = pd.concat(frames, ignore_index=True)
    return rules.reindex(columns=["service", *(c for c in rules.columns if c != "service")])


def build_tables(con: duckdb.DuckDBPyConnection, since: date, until: date, benchmark: str = "2023",
                 settings: MetricsSettings | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the bundle over [since, until), keyed by TABLE_NAMES."""
    settings = settings or MetricsSettings()
    by_team = dora_table(con, since, until, "team", benchmark, all_groups=True)
    results = latest_results(con)
    health = data_health(con, since, until)
    return {
        "dora_by_org": dora_table(con, since, until, "org", benchmark),
        "dora_by_team": by_team,
        "dora_by_service": dora_table(con, since, until, "service", benchmark, all_groups=True),
        "dora_weekly": weekly_series(con, since, until, tz=settings.timezone),
        "dora_scores_by_team": score_table(by_team, benchmark),
        "devex_by_team": devex_figures(con, Scope(since, until, "team"), settings),
        "ci_health": ci_table(con, Scope(since, until, "repo"), settings),
        "new_hires": new_hires_table(con, Scope(since, until, "team"), settings),
        "golden_paths": golden_path_table(con, since, until, benchmark),
        "scorecard_results": results,
        "scorecard_rules": _all_rules(con, results["service"]),
        "scorecard_history": service_trends(con),
        "data_health": pd.DataFrame([health]),
        "last_syncs": last_syncs(con, datetime.now(UTC)),
        "record_counts": record_counts(con),
        "unmapped_repos": pd.DataFrame({"repo": unmapped_repos(con)}),
    }


def manifest(tables: Mapping[str, pd.DataFrame], since: date, until: date,
             generated_at: datetime | None = None) -> dict[str, Any]:
    """What a bundle holds: each file and its row count, the window, when and by which version."""
    return {
        "files": [{"file": f"{name}.csv", "rows": len(frame)} for name, frame in tables.items()],
        "window": {"since": since.isoformat(), "until": until.isoformat()},
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "pitwall_version": pitwall_version(),
    }


def bundle_name(since: date, until: date) -> str:
    """The zip's file name for a window."""
    return f"pitwall-report-{since}-{until}.zip"


def zip_bundle(tables: Mapping[str, pd.DataFrame], about: Mapping[str, Any]) -> bytes:
    """A zip of every table as NAME.csv (formula-safe) plus MANIFEST."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, frame in tables.items():
            bundle.writestr(f"{name}.csv", to_safe_csv(frame))
        bundle.writestr(MANIFEST, json.dumps(about, indent=2))
    return buffer.getvalue()


def foreign_entries(out: Path) -> list[str]:
    """The names in folder `out` that no bundle writes (a bundle folder is replaced whole)."""
    ours = {f"{name}.csv" for name in TABLE_NAMES} | {MANIFEST}
    return sorted(entry.name for entry in out.iterdir()
                  if entry.is_dir() or not (entry.name in ours or BUNDLE_ZIP.match(entry.name)))


def _fill(folder: Path, tables: Mapping[str, pd.DataFrame], about: Mapping[str, Any], zip_name: str) -> None:
    """Every table as `folder`/NAME.csv, MANIFEST and the zip of them all."""
    for name, frame in tables.items():
        (folder / f"{name}.csv").write_bytes(to_safe_csv(frame))
    (folder / MANIFEST).write_text(json.dumps(about, indent=2), encoding="utf-8")
    (folder / zip_name).write_bytes(zip_bundle(tables, about))


def write_bundle(out: Path, tables: Mapping[str, pd.DataFrame], about: Mapping[str, Any]) -> Path:
    """Make folder `out` hold the bundle: every table as NAME.csv, MANIFEST and the zip of them all;
    returns the zip's path. The folder is replaced whole (dashboard.bundle_folder), so a kill
    leaves it as it was or holding the complete bundle."""
    window = about["window"]
    zip_name = bundle_name(date.fromisoformat(window["since"]), date.fromisoformat(window["until"]))
    replace_folder(out, lambda folder: _fill(folder, tables, about, zip_name))
    return out / zip_name
