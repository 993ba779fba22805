"""Golden-path analytics: how services created from each template deliver, against the others.

Services are grouped by the template they were created from (catalog fact `template`, the
backstage.io/source-template annotation); services without one form the group `template: None`.
Each group's figures are medians over its services of each service's own DORA figure, as
`pitwall metrics dora --by service --all-groups` computes it, so groups of different sizes
compare fairly (a service without deployments counts as 0 deployments a week; its other figures
are unknown and left out). `elite_or_high_share` is the share of the group's services whose
overall DORA tier is elite or high.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from metrics.dora import dora_table
from scorecards.facts.catalog import CATALOG_SERVICES

__all__ = ["GOLDEN_PATH_COLUMNS", "golden_paths", "service_templates"]

MEDIAN_FIGURES = ("deploys_per_week", "lead_time_p50_hours", "change_failure_rate", "recovery_p50_hours",
                  "rework_rate")
GOLDEN_PATH_COLUMNS = ["template", "services", "deployments", *MEDIAN_FIGURES, "elite_or_high_share"]
# The catalog services (scorecards.facts.catalog) with their template fact, without reading the rest.
SERVICE_TEMPLATES = f"SELECT entity_id AS \"group\", template FROM ({CATALOG_SERVICES}) ORDER BY entity_id"


def service_templates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every catalog service (`group`, its id) and its `template` fact (None without one), by id."""
    return con.execute(SERVICE_TEMPLATES).df()


def golden_paths(con: duckdb.DuckDBPyConnection, since: date, until: date, benchmark: str = "2023", *,
                 dora: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per template (sorted), then the services without a template (GOLDEN_PATH_COLUMNS).

    `dora`: the caller's `dora_table` by service with all groups over the same window and
    benchmark, when it has it already (it is computed otherwise).
    """
    template_of = service_templates(con)
    if template_of.empty:
        return pd.DataFrame(columns=GOLDEN_PATH_COLUMNS, dtype=object)
    if dora is None:
        dora = dora_table(con, since, until, group_by="service", benchmark=benchmark, all_groups=True)
    frame = template_of.merge(dora, on="group", how="left")
    frame["template"] = frame["template"].fillna("")
    for column in ("deployments", *MEDIAN_FIGURES):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["fast"] = frame["tier"].isin(["elite", "high"])
    grouped = frame.groupby("template", sort=True)
    table = pd.DataFrame({
        "services": grouped.size(),
        "deployments": grouped["deployments"].sum(min_count=1),
        **{column: grouped[column].median() for column in MEDIAN_FIGURES},
        "elite_or_high_share": grouped["fast"].mean(),
    }).reset_index()
    # Templates first (sorted by name), the services without a template last.
    table["last"] = table["template"] == ""
    table = table.sort_values(["last", "template"]).drop(columns="last")
    table["template"] = table["template"].replace("", None)
    table = table.reindex(columns=GOLDEN_PATH_COLUMNS).reset_index(drop=True)
    return table.astype(object).where(table.notna(), None)
