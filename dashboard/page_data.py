"""Cached reads behind the Teams, Services, Delivery flow, Data health and Export pages.

Like dashboard.data, each function is keyed on (warehouse path, warehouse stamp, filters, ...):
`stamp` changes whenever the warehouse is written, so a result is never stale.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.data import read_only
from dashboard.export_bundle import build_tables, bundle_name, manifest, zip_bundle
from dashboard.filters import Filters
from dashboard.scorecard_data import latest_results, latest_rules
from metrics.devex import Scope, ci_table, devex_figures, new_hires_table, pull_request_flow
from metrics.dora import dora_table
from metrics.explain import dora_explain
from metrics.health import bookmark_ages, data_health, last_syncs, record_counts, unmapped_repos
from metrics.settings import MetricsSettings
from scorecards.history import service_trends

__all__ = ["Bundle", "Flow", "Health", "ServiceDetail", "load_bundle", "load_dora", "load_flow",
           "load_health", "load_scorecards", "load_service", "load_team"]

CACHE = {"show_spinner": False, "max_entries": 64}


@st.cache_data(**CACHE)
def load_dora(db: str, stamp: str, filters: Filters, by: str, previous: bool = False) -> pd.DataFrame:
    """dora_table by `by` (every known group) for the filters' window, or the period before it."""
    window = filters.previous() if previous else filters
    with read_only(db) as con:
        return dora_table(con, window.since, window.until, by, filters.benchmark, all_groups=by != "org",
                          team=filters.team, service=filters.service)


@st.cache_data(**CACHE)
def load_team(db: str, stamp: str, filters: Filters, settings: MetricsSettings) -> dict[str, pd.DataFrame]:
    """A team against the organisation: DORA and developer-experience figures for both, the team's
    services' DORA figures, and their latest scorecard levels."""
    team = filters.team
    with read_only(db) as con:
        args = (filters.since, filters.until)
        return {
            "dora_team": dora_table(con, *args, "org", filters.benchmark, team=team),
            "dora_org": dora_table(con, *args, "org", filters.benchmark),
            "devex_team": devex_figures(con, Scope(*args, "team", team=team), settings),
            "devex_org": devex_figures(con, Scope(*args, "org"), settings),
            "services": dora_table(con, *args, "service", filters.benchmark, team=team),
            "scorecards": latest_results(con, team=team),
        }


@st.cache_data(**CACHE)
def load_scorecards(db: str, stamp: str, team: str | None) -> pd.DataFrame:
    """Every service's latest level and score per scorecard (of one team when `team` is set)."""
    with read_only(db) as con:
        return latest_results(con, team=team)


@dataclass(frozen=True)
class ServiceDetail:
    """One service: rule results (what to fix next first), level history, DORA figures, the rows behind."""

    rules: pd.DataFrame
    history: pd.DataFrame
    dora: pd.DataFrame
    behind: dict[str, pd.DataFrame]


@st.cache_data(**CACHE)
def load_service(db: str, stamp: str, filters: Filters, service: str) -> ServiceDetail:
    """Everything the service page shows for `service`."""
    with read_only(db) as con:
        return ServiceDetail(
            rules=latest_rules(con, service),
            history=service_trends(con, service=service),
            dora=dora_table(con, filters.since, filters.until, "service", filters.benchmark, service=service),
            behind=dora_explain(con, filters.since, filters.until, "service", service),
        )


@dataclass(frozen=True)
class Flow:
    """The Delivery flow page's figures."""

    pull_requests: pd.DataFrame   # merged pull requests of the window (org scope), one row each
    org: pd.DataFrame             # devex_figures for the organisation (one row)
    teams: pd.DataFrame           # devex_figures per team
    new_hires: pd.DataFrame       # new_hires_table
    ci: pd.DataFrame              # ci_table per repo, long


@st.cache_data(**CACHE)
def load_flow(db: str, stamp: str, filters: Filters, settings: MetricsSettings) -> Flow:
    """The delivery-flow figures for the filters."""
    scope = {"team": filters.team, "service": filters.service}
    org = Scope(filters.since, filters.until, "org", **scope)
    with read_only(db) as con:
        return Flow(
            pull_requests=pull_request_flow(con, org, "all", settings),
            org=devex_figures(con, org, settings),
            teams=devex_figures(con, Scope(filters.since, filters.until, "team", **scope), settings),
            new_hires=new_hires_table(con, Scope(filters.since, filters.until, "team", **scope), settings),
            ci=ci_table(con, Scope(filters.since, filters.until, "repo", **scope), settings),
        )


@dataclass(frozen=True)
class Health:
    """The Data health page's figures."""

    counts: dict[str, int]
    syncs: pd.DataFrame
    bookmarks: pd.DataFrame
    records: pd.DataFrame
    unmapped: list[str]


@st.cache_data(**CACHE)
def load_health(db: str, stamp: str, filters: Filters) -> Health:
    """Data health for the filters, ages counted from now."""
    now = datetime.now(UTC)
    with read_only(db) as con:
        return Health(
            counts=data_health(con, filters.since, filters.until, team=filters.team, service=filters.service),
            syncs=last_syncs(con, now),
            bookmarks=bookmark_ages(con, now),
            records=record_counts(con),
            unmapped=unmapped_repos(con),
        )


@dataclass(frozen=True)
class Bundle:
    """The export bundle: each table, and the zip with its manifest."""

    tables: dict[str, pd.DataFrame]
    zip_name: str
    zip_bytes: bytes


@st.cache_data(**CACHE)
def load_bundle(db: str, stamp: str, filters: Filters, settings: MetricsSettings) -> Bundle:
    """The same bundle `pitwall export` writes, for the filters' window."""
    with read_only(db) as con:
        tables = build_tables(con, filters.since, filters.until, filters.benchmark, settings)
    about = manifest(tables, filters.since, filters.until)
    return Bundle(tables, bundle_name(filters.since, filters.until), zip_bundle(tables, about))
