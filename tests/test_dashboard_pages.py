"""Every dashboard page through Streamlit's AppTest, over a real warehouse built by hand.

The warehouse is small_org_events (DORA figures explained in tests/test_dashboard_app.py) plus:
- two pull requests in acme/checkout (service checkout, team payments) by ann, merged in the
  window and never deployed: fp1 starts with ann's commit at 03-02 00:00, opens 02:00 (coding
  2 h), bob reviews 05:00 (pickup 3 h, same team), merged 10:00 (review 5 h), 20 + 10 lines (S);
  fp2 opens 03-09 00:00, ready 01:00 (coding 1 h), cara reviews 05:00 (pickup 4 h, another
  team), merged 06:00 (review 1 h), 600 lines (L). pitwall.toml: payments = ann, bob; search = cara.
- two evaluation days of scorecard "readiness" (levels bronze < silver < gold);
- one GitHub bookmark stored 2024-03-20 12:00 UTC.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.flow_charts import weekly_phases
from dashboard.overview_extras import stale_message
from dashboard.widgets import literal
from helpers import (
    CHECKOUT,
    SINCE,
    UNTIL,
    at,
    authored_commit,
    build_warehouse,
    flow_pull_request,
    review,
    small_org_events,
    store_bookmark,
    store_scorecard_day,
    write_settings,
)

WINDOW = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}
SETTINGS = '[metrics.teams]\npayments = ["ann", "bob"]\nsearch = ["cara"]\n'


def flow_events() -> list[dict]:
    return [
        authored_commit("fa", at(2, 0), author="ann", repo=CHECKOUT, pr="fp1"),
        flow_pull_request("fp1", "ann", at(2, 2), merged_at=at(2, 10), additions=20, deletions=10, number=7,
                          repo=CHECKOUT),
        review("fr1", "fp1", "bob", at(2, 5)),
        flow_pull_request("fp2", "ann", at(9, 0), ready_at=at(9, 1), merged_at=at(9, 6), additions=500,
                          deletions=100, number=8, repo=CHECKOUT),
        review("fr2", "fp2", "cara", at(9, 5)),
    ]


def store_scorecards(con) -> None:
    levels = ["bronze", "silver", "gold"]
    store_scorecard_day(con, date(2024, 3, 1), "readiness", levels, [
        ("checkout", "payments", "none", 0, 0.25), ("search-api", "search", "bronze", 1, 0.5)])
    store_scorecard_day(con, date(2024, 3, 20), "readiness", levels, [
        ("checkout", "payments", "bronze", 1, 0.5), ("search-api", "search", "silver", 2, 0.75)], rules=[
        ("checkout", "has-owner", "bronze", "pass", "payments", "owner = payments", None),
        ("checkout", "runbook", "gold", "fail", None, "no runbook link", "Add a runbook annotation."),
        ("checkout", "on-call", "silver", "fail", False, "no on-call rota", "=HYPERLINK(\"x\")"),
        ("checkout", "tests", "silver", "pass", 0.9, "coverage 90%", None),
        ("checkout", "slo", "gold", "exempt", None, "exempt until 2024-06-01", None),
    ])


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    con = build_warehouse(folder, [*small_org_events(), *flow_events()])
    store_scorecards(con)
    store_bookmark(con, CHECKOUT, "pulls", "2024-03-20T11:00:00Z", at(20, 12))
    con.close()
    write_settings(folder, SETTINGS)
    return folder


def run_page(module: str, org: Path, monkeypatch: pytest.MonkeyPatch, **query: str) -> AppTest:
    """One page (dashboard/<module>.py's render) run once with URL query `query`; fails on any exception."""
    monkeypatch.setenv("PITWALL_DB", str(org / "warehouse.duckdb"))
    monkeypatch.setenv("PITWALL_CONFIG", str(org / "pitwall.toml"))
    app = AppTest.from_string(f"from dashboard.{module} import render\nrender()", default_timeout=60)
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def frame(app: AppTest, key_index: int = 0) -> pd.DataFrame:
    """The `key_index`-th table shown."""
    return app.dataframe[key_index].value


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def charts(app: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


# --- Teams ---------------------------------------------------------------------------------------

def test_teams_compares_a_team_with_the_organisation(org, monkeypatch):
    app = run_page("teams_page", org, monkeypatch, team="payments", **WINDOW)
    shown = frame(app).set_index("figure")
    assert shown.loc["Deployments per week", "payments"] == "0.50/wk"
    assert shown.loc["Deployments per week", "organisation"] == "1.00/wk"
    assert shown.loc["Change lead time p50", "payments"] == "42.0 h"
    assert shown.loc["Change lead time p50", "organisation"] == "45.0 h"
    assert shown.loc["Change failure rate", "payments"] == "50.0%"
    assert shown.loc["Change failure rate", "organisation"] == "25.0%"
    assert shown.loc["Overall tier", "payments"] == "low"
    assert shown.loc["Merged pull requests per week", "payments"] == "0.50/wk"   # 2 in 4 weeks
    assert shown.loc["Pickup time p50", "payments"] == "3.5 h"                    # 3 h and 4 h
    assert shown.loc["Reviewed by another team", "payments"] == "50.0%"
    assert shown.loc["Cycle time p50", "payments"] == "—"                         # never deployed


def test_teams_lists_the_teams_services_with_their_scorecard_levels(org, monkeypatch):
    app = run_page("teams_page", org, monkeypatch, team="payments", **WINDOW)
    services = frame(app, 1)
    assert list(services["service"]) == ["checkout"]
    assert services.loc[0, "deployments"] == 2
    assert services.loc[0, "readiness"] == "bronze (50.0%)"


def test_teams_without_a_team_lists_every_team(org, monkeypatch):
    app = run_page("teams_page", org, monkeypatch, **WINDOW)
    assert "Choose a team in the sidebar" in app.info[0].value
    assert list(frame(app)["group"]) == ["payments", "search"]


# --- Services & scorecards -----------------------------------------------------------------------

def test_services_list_shows_the_latest_level_and_score(org, monkeypatch):
    app = run_page("services_page", org, monkeypatch, **WINDOW)
    shown = frame(app)
    assert list(zip(shown["service"], shown["level"], shown["score"])) == [
        ("checkout", "bronze", 0.5), ("search-api", "silver", 0.75)]


def test_services_list_filters_by_level_and_team(org, monkeypatch):
    app = run_page("services_page", org, monkeypatch, level="silver", **WINDOW)
    assert list(frame(app)["service"]) == ["search-api"]
    assert app.query_params["level"] == "silver"
    app = run_page("services_page", org, monkeypatch, team="payments", **WINDOW)
    assert list(frame(app)["service"]) == ["checkout"]


def test_service_page_orders_rules_as_what_to_fix_next(org, monkeypatch):
    app = run_page("services_page", org, monkeypatch, service="checkout", **WINDOW)
    rules = frame(app)
    # Failing first, lowest level first (silver before gold), then the others by level.
    assert list(zip(rules["rule"], rules["status"])) == [
        ("on-call", "fail"), ("runbook", "fail"), ("has-owner", "pass"), ("tests", "pass"), ("slo", "exempt")]
    assert rules.loc[1, "remediation"] == "Add a runbook annotation."


def test_service_page_shows_level_history_dora_figures_and_the_rows_behind(org, monkeypatch):
    app = run_page("services_page", org, monkeypatch, service="checkout", **WINDOW)
    history = charts(app)["Scorecard score and level per evaluation day"]["data"][0]
    assert history["x"] == ["2024-03-01", "2024-03-20"]
    assert history["y"] == [25.0, 50.0]
    assert history["text"] == ["none", "bronze"]
    dora = frame(app, 1)
    assert (dora.loc[0, "group"], dora.loc[0, "deployments"], dora.loc[0, "change_failure_rate"]) == (
        "checkout", 2, 0.5)
    assert sorted(frame(app, 2)["id"]) == ["d1", "d2"]
    assert list(frame(app, 4)["incident"]) == ["i1"]


# --- Delivery flow -------------------------------------------------------------------------------

def test_flow_tiles_and_charts_show_the_pull_requests(org, monkeypatch):
    app = run_page("flow_page", org, monkeypatch, **WINDOW)
    shown = metrics(app)
    assert shown["Merged pull requests"] == "2"
    assert shown["Pickup time p50"] == "3.5 h"
    assert shown["Pickup p50, reviewer in another team"] == "4.0 h"
    assert shown["Reviewed by another team"] == "50.0%"
    figures = charts(app)
    sizes = figures["Pull-request size distribution (merged in the window)"]["data"][0]
    assert (sizes["x"], sizes["y"]) == (["XS", "S", "M", "L", "XL"], [0, 1, 0, 1, 0])
    phases = {trace["name"]: trace["y"] for trace in
              figures["Cycle time by phase per week (median hours of the merged pull requests)"]["data"]}
    assert phases == {"Coding": [2.0, 1.0], "Pickup": [3.0, 4.0], "Review": [5.0, 1.0], "Deploy": [None, None]}
    waits = figures["Review wait (pickup p50) by the reviewer's team"]["data"]
    assert [(trace["name"], trace["x"], trace["y"]) for trace in waits] == [
        ("Reviewer in the same team", ["payments"], [3.0]), ("Reviewer in another team", ["payments"], [4.0])]


def test_flow_week_axis_names_the_time_zone_in_force(org, monkeypatch):
    write_settings(org, SETTINGS + '[metrics]\ntimezone = "Europe/Paris"\n', "paris.toml")
    monkeypatch.setenv("PITWALL_CONFIG", str(org / "paris.toml"))
    monkeypatch.setenv("PITWALL_DB", str(org / "warehouse.duckdb"))
    app = AppTest.from_string("from dashboard.flow_page import render\nrender()", default_timeout=60)
    app.query_params.update(WINDOW)
    app.run()
    figure = next(iter(charts(app).values()))
    assert figure["layout"]["xaxis"]["title"]["text"] == "Week starting Monday (Europe/Paris)"


def test_weekly_phases_takes_medians_per_monday_in_the_time_zone():
    flows = pd.DataFrame({
        # Sunday 23:30 UTC is Monday 00:30 in Paris: the next week there.
        "merged_at": pd.to_datetime(["2024-03-03T23:30:00Z", "2024-03-04T10:00:00Z", "2024-03-05T10:00:00Z"]),
        "coding_hours": [1.0, 2.0, 4.0], "pickup_hours": [None, 1.0, 3.0], "review_hours": [1.0, 1.0, 1.0],
        "deploy_hours": [5.0, None, None]})
    utc = weekly_phases(flows, "UTC")
    assert list(utc["week"]) == [date(2024, 2, 26), date(2024, 3, 4)]
    assert list(utc["merged_prs"]) == [1, 2]
    assert list(utc["coding_hours"]) == [1.0, 3.0]
    paris = weekly_phases(flows, "Europe/Paris")
    assert list(paris["week"]) == [date(2024, 3, 4)]
    assert list(paris["coding_hours"]) == [2.0]
    assert list(paris["pickup_hours"]) == [2.0]


# --- Data health ---------------------------------------------------------------------------------

def test_data_health_counts_syncs_bookmarks_and_unmapped_repos(org, monkeypatch):
    app = run_page("health_page", org, monkeypatch, **WINDOW)
    assert metrics(app) == {"Failed deployment attempts": "1", "Unattributed incidents": "1",
                            "Deployments without a baseline": "0", "Negative lead times dropped": "1",
                            "Unmapped repos": "0"}
    syncs = frame(app)
    # One import of the 25 events (20 of small_org_events, 5 of flow_events), just now.
    assert list(zip(syncs["source"], syncs["target"], syncs["records"], syncs["runs"])) == [
        ("import", "events.ndjson", 25, 1)]
    assert 0 <= syncs.loc[0, "age_hours"] < 1
    bookmarks = frame(app, 1)
    assert list(zip(bookmarks["scope"], bookmarks["stream"], bookmarks["bookmark"])) == [
        (CHECKOUT, "pulls", "2024-03-20T11:00:00Z")]
    assert bookmarks.loc[0, "age_hours"] > 24 * 365                             # stored in 2024
    records = dict(zip(frame(app, 2)["table"], frame(app, 2)["rows"]))
    assert records["deployments"] == 7 and records["pull_requests"] == 2 and records["incidents"] == 2


# --- Export --------------------------------------------------------------------------------------

def test_export_page_offers_every_table_and_the_zip(org, monkeypatch):
    app = run_page("export_page", org, monkeypatch, **WINDOW)
    labels = [button.proto.label for button in app.get("download_button")]
    assert labels[0] == "Download everything (zip with manifest.json)"
    assert "Download scorecard_rules.csv" in labels and "Download dora_by_team.csv" in labels
    assert "dora_by_team.csv — 2 rows" in [text.value for text in app.text]
    assert "scorecard_rules.csv — 5 rows" in [text.value for text in app.text]


# --- the URL -------------------------------------------------------------------------------------

@pytest.mark.parametrize("module", ["teams_page", "services_page", "flow_page", "health_page", "export_page"])
def test_every_page_reads_and_writes_the_filters_in_the_url(org, monkeypatch, module):
    app = run_page(module, org, monkeypatch, team="payments", benchmark="2024", **WINDOW)
    assert app.selectbox(key="team").value == "payments"
    assert app.selectbox(key="benchmark").value == "2024"
    assert {name: app.query_params[name] for name in ("since", "until", "team", "benchmark")} == {
        **WINDOW, "team": "payments", "benchmark": "2024"}


def test_a_bad_benchmark_in_the_url_is_ignored_with_a_warning(org, monkeypatch):
    app = run_page("teams_page", org, monkeypatch, benchmark="1999", **WINDOW)
    assert "Ignored the URL parameter benchmark: expected one of 2023, 2024." in [w.value for w in app.warning]
    assert app.selectbox(key="benchmark").value == "2023"


# --- Overview: tier spread, golden paths, biggest movers, stale data -----------------------------

def test_overview_spreads_teams_and_services_across_tiers(org, monkeypatch):
    app = run_page("overview", org, monkeypatch, **WINDOW)
    spread = charts(app)["Teams and services per overall DORA tier"]["data"]
    # payments: CFR 50% -> low; search: 0.50/week -> medium (its recovery is unknown, so it does not count).
    assert [(trace["name"], trace["x"], trace["y"]) for trace in spread] == [
        ("Teams", ["elite", "high", "medium", "low", "no data"], [0, 0, 1, 1, 0]),
        ("Services", ["elite", "high", "medium", "low", "no data"], [0, 0, 1, 1, 0])]
    assert "No catalog services." in [info.value for info in app.info]        # no golden paths without a catalog
    assert [w.value for w in app.warning] == []                               # imported just now: not stale


def test_overview_lists_the_biggest_movers(org, monkeypatch):
    movers = run_page("overview", org, monkeypatch, **WINDOW).dataframe[1].value
    # Scores (metrics.scores, 2023 bands; M = 0.2301/week): payments before: 0.25/week
    # (2.5 + 2.5 * log(0.25/M)/log(1/M) = 2.641) and CFR 0 (10) -> 6.321; now: 0.50/week (3.821),
    # lead 42 h (6.781), CFR 50% (1.193), recovery 7 h (5.969) -> 4.441. search: 6.965 -> 6.784.
    assert list(movers["group"]) == ["payments", "search"]
    assert [round(v, 3) for v in movers["score_before"]] == [6.321, 6.965]
    assert [round(v, 3) for v in movers["score_now"]] == [4.441, 6.784]
    assert [round(v, 2) for v in movers["change"]] == [-1.88, -0.18]


def test_overview_warns_when_the_last_sync_is_over_two_days_old(tmp_path, monkeypatch):
    con = build_warehouse(tmp_path, small_org_events())
    con.execute("UPDATE ingest_runs SET finished_at = ?", [at(20, 12)])
    con.close()
    write_settings(tmp_path, "")
    warnings = [w.value for w in run_page("overview", tmp_path, monkeypatch, **WINDOW).warning]
    assert len(warnings) == 1
    assert warnings[0].startswith("The data may be stale: the last import or sync finished ")
    assert "(2024-03-20 12:00 UTC). Run `pitwall sync` or `pitwall import`." in warnings[0]


def test_stale_message_starts_after_two_days():
    last = datetime(2024, 3, 20, 12, tzinfo=UTC)
    assert stale_message(last, last + timedelta(days=2)) is None
    assert stale_message(last, last + timedelta(days=2, minutes=1)) == (
        "The data may be stale: the last import or sync finished 2 days ago (2024-03-20 12:00 UTC). "
        "Run `pitwall sync` or `pitwall import`.")
    assert stale_message(None, last) == "No import or sync has ever finished: the figures are empty."


def test_names_from_the_warehouse_show_literally_in_headings():
    shown = literal("[pay](http://evil.example) ![x](http://evil.example/i.png) <b>ops</b> a_b")
    assert shown == ("\\[pay\\]\\(http\\://evil\\.example\\) \\!\\[x\\]\\(http\\://evil\\.example/i\\.png\\) "
                     "\\<b\\>ops\\</b\\> a\\_b")
    assert literal("payments") == "payments"
