"""The overview page through Streamlit's AppTest, over a real warehouse built from small_org_events.

Hand-computed figures for the window 2024-03-01..2024-03-29 (28 days, 4 weeks):
- org: 4 deployments -> 1.00/week (high); lead times 24, 30, 60, 72 h -> p50 45.0 h, p90 68.4 h
  (60 + 0.7 * 12; high); 1 failed of 4 -> 25.0% (low); d2 recovers 7 h after deploying (high);
  1 rework (s2, a revert) of 4 -> 25.0%. Overall tier: low.
- the previous 28 days: 2 deployments -> 0.50/week; only s0 has a change -> lead p50 12 h; no
  failure (0%, no recovery); no rework (0%).
- team payments: d1, d2 -> 0.50/week (medium), lead 24, 60 h -> p50 42.0 h, 1 of 2 failed -> 50.0%;
  previous: d0 only -> 0.25/week, no changes (no lead time), 0% failed.
- team search: s1, s2 -> 0.50/week, lead 30, 72 h -> p50 51.0 h, 0% failed (elite), no recovery.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from dashboard.safe_csv import neutralise, to_safe_csv
from dashboard.tiles import SPECS
from helpers import (
    ROOT,
    SINCE,
    UNTIL,
    add_checkout_deployment,
    at,
    small_org_events,
    warehouse_file,
)

APP = ROOT / "dashboard" / "app.py"
TILE_LABELS = [spec.label for spec in SPECS]
WINDOW = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}


def run_app(db: Path, monkeypatch: pytest.MonkeyPatch, **query: str) -> AppTest:
    """The dashboard run once over warehouse `db` with URL query `query`; fails on any exception."""
    monkeypatch.setenv("PITWALL_DB", str(db))
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def tiles(app: AppTest) -> dict[str, dict[str, str]]:
    """Each DORA tile by label: its value, delta, badge text and small print."""
    found = {}
    for column in app.columns:
        metrics = [m for m in column.metric if m.label in TILE_LABELS]
        if len(metrics) == 1:
            badge = column.markdown[0].value   # ":blue-badge[Tier: high]"
            found[metrics[0].label] = {
                "value": metrics[0].value,
                "delta": metrics[0].proto.delta,
                "tier": badge[badge.index("[") + 1:-1],
                "detail": column.caption[0].value,
            }
    assert list(found) == TILE_LABELS
    return found


def figures(app: AppTest) -> dict[str, dict]:
    """The plotly figures by title, as the JSON the browser receives."""
    specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def health(app: AppTest) -> dict[str, str]:
    """The data-health panel: label -> value."""
    return {m.label: m.value for m in app.metric if m.label not in TILE_LABELS}


@pytest.fixture
def small_org(tmp_path: Path) -> Path:
    return warehouse_file(tmp_path, small_org_events())


def test_tiles_show_the_hand_computed_figures_tiers_and_changes(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, **WINDOW)
    assert tiles(app) == {
        "Deployment frequency": {"value": "1.00/wk", "delta": "+0.50/wk", "tier": "Tier: high",
                                 "detail": "4 deployments in 28 days"},
        "Change lead time (p50)": {"value": "45.0 h", "delta": "+33.0 h", "tier": "Tier: high",
                                   "detail": "p90 68.4 h · 4 changes"},
        "Change failure rate": {"value": "25.0%", "delta": "+25.0 pp", "tier": "Tier: low",
                                "detail": "1 of 4 deployments failed"},
        "Recovery time (p50)": {"value": "7.0 h", "delta": "no previous figure", "tier": "Tier: high",
                                "detail": "over 1 failed deployment"},
        "Rework rate": {"value": "25.0%", "delta": "+25.0 pp", "tier": "no tier",
                        "detail": "1 of 4 deployments were rework"},
    }
    assert ":red-badge[Overall tier: low]" in [m.value for m in app.markdown]
    assert "compared with the previous 28 days (2024-02-02 to 2024-02-29)" in app.caption[0].value


def test_changes_are_coloured_by_whether_they_are_good(small_org, monkeypatch):
    shown = {m.label: (MetricProto.MetricColor.Name(m.proto.color), MetricProto.MetricDirection.Name(m.proto.direction))
             for m in run_app(small_org, monkeypatch, **WINDOW).metric if m.label in TILE_LABELS}
    # More deployments is good; longer lead times, more failures and more rework are bad;
    # with nothing to compare with there is no arrow.
    assert shown == {
        "Deployment frequency": ("GREEN", "UP"),
        "Change lead time (p50)": ("RED", "UP"),
        "Change failure rate": ("RED", "UP"),
        "Recovery time (p50)": ("GRAY", "NONE"),
        "Rework rate": ("RED", "UP"),
    }


def test_choosing_a_team_changes_the_tiles_and_the_url(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, **WINDOW)
    app.selectbox(key="team").set_value("payments").run()
    assert not app.exception
    shown = tiles(app)
    assert shown["Deployment frequency"] == {"value": "0.50/wk", "delta": "+0.25/wk",
                                             "tier": "Tier: medium", "detail": "2 deployments in 28 days"}
    assert shown["Change lead time (p50)"] == {"value": "42.0 h", "delta": "no previous figure", "tier": "Tier: high",
                                               "detail": "p90 56.4 h · 2 changes"}
    assert shown["Change failure rate"]["value"] == "50.0%"
    assert shown["Change failure rate"]["delta"] == "+50.0 pp"
    assert shown["Rework rate"]["value"] == "0.0%"
    assert shown["Rework rate"]["delta"] == "+0.0 pp"
    rework = next(m for m in app.metric if m.label == "Rework rate")
    assert MetricProto.MetricDirection.Name(rework.proto.direction) == "NONE"   # no change: no arrow
    assert app.query_params["team"] == "payments"
    assert app.query_params["since"] == WINDOW["since"]


def test_a_team_in_the_url_selects_it(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, team="search", **WINDOW)
    assert app.selectbox(key="team").value == "search"
    shown = tiles(app)
    assert shown["Change lead time (p50)"]["value"] == "51.0 h"
    assert shown["Change failure rate"] == {"value": "0.0%", "delta": "+0.0 pp", "tier": "Tier: elite",
                                            "detail": "0 of 2 deployments failed"}
    assert shown["Recovery time (p50)"] == {"value": "—", "delta": "", "tier": "no data", "detail": "no data"}
    assert shown["Rework rate"]["value"] == "50.0%"


def test_an_unknown_team_in_the_url_is_ignored_with_a_warning(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, team="nobody", **WINDOW)
    assert [w.value for w in app.warning] == [
        "Ignored the URL parameter team: the warehouse knows no such team."]
    assert tiles(app)["Deployment frequency"]["value"] == "1.00/wk"
    assert "team" not in app.query_params


def test_a_bad_date_in_the_url_is_ignored_with_a_warning(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, since="yesterday", until=WINDOW["until"])
    assert "Ignored the URL parameter since: expected a date as YYYY-MM-DD." in [w.value for w in app.warning]
    assert app.query_params["since"] != "yesterday"


def test_the_date_range_picker_sets_the_window(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, **WINDOW)
    # The picker shows inclusive days; 2024-03-01..2024-03-14 is the window [03-01, 03-15): d1, d2.
    app.date_input(key="window").set_value((SINCE, at(14).date())).run()
    assert not app.exception
    assert tiles(app)["Deployment frequency"]["value"] == "1.00/wk"     # 2 in 2 weeks
    assert tiles(app)["Deployment frequency"]["detail"] == "2 deployments in 14 days"
    assert app.query_params["until"] == "2024-03-15"


def test_weekly_charts_plot_the_weekly_series(small_org, monkeypatch):
    charts = figures(run_app(small_org, monkeypatch, **WINDOW))
    weeks = ["2024-02-26", "2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25"]
    deployments = charts["Deployments per week"]
    assert deployments["data"][0]["type"] == "bar"
    assert deployments["data"][0]["x"] == weeks
    assert deployments["data"][0]["y"] == [1, 1, 1, 1, 0]
    assert deployments["layout"]["yaxis"]["title"]["text"] == "Deployments (count)"
    assert deployments["layout"]["xaxis"]["title"]["text"] == "Week starting Monday (UTC)"
    assert deployments["layout"]["xaxis"]["tick0"] == "2024-02-26"     # ticks on Mondays
    assert deployments["layout"]["yaxis"]["dtick"] == 1                # small counts: whole numbers
    assert charts["Change lead time p50 per week"]["data"][0]["y"] == [24, 60, 30, 72, None]
    failure = charts["Change failure rate per week"]
    assert failure["data"][0]["y"] == [0, 1, 0, 0, None]
    assert failure["layout"]["yaxis"]["tickformat"] == ".0%"
    assert charts["Recovery time p50 per week"]["data"][0]["y"] == [None, 7, None, None, None]
    assert charts["Recovery time p50 per week"]["layout"]["yaxis"]["title"]["text"] == "Recovery time p50 (hours)"


def test_the_table_groups_by_team_or_service(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, **WINDOW)
    by_team = app.dataframe[0].value
    assert list(by_team["group"]) == ["payments", "search"]
    assert list(by_team["deployments"]) == [2, 2]
    assert list(by_team["lead_time_p50_hours"]) == [42.0, 51.0]
    assert list(by_team["change_failure_rate"]) == [0.5, 0.0]
    app.radio(key="by").set_value("service").run()
    assert list(app.dataframe[0].value["group"]) == ["checkout", "search-api"]
    assert app.query_params["by"] == "service"


def test_data_health_panel_counts_what_the_figures_leave_out(small_org, monkeypatch):
    assert health(run_app(small_org, monkeypatch, **WINDOW)) == {
        "Failed deployment attempts": "1",
        "Unattributed incidents": "1",
        "Deployments without a baseline": "0",
        "Negative lead times dropped": "1",
    }
    # Widened to the previous period too: d0, the first checkout deployment, has no baseline.
    wider = run_app(small_org, monkeypatch, since="2024-02-02", until=WINDOW["until"])
    assert health(wider)["Deployments without a baseline"] == "1"


def test_an_empty_window_shows_no_data(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, since="2020-01-01", until="2020-01-29")
    for tile in tiles(app).values():
        assert tile == {"value": "—", "delta": "", "tier": "no data", "detail": "no data"}
    assert [i.value for i in app.info] == ["No deployments in this window.", "No catalog services.",
                                           "No team has a score in both periods."]
    # 2020-01-01 is a Wednesday: five weeks overlap the window, from Monday 2019-12-30.
    assert figures(app)["Deployments per week"]["data"][0]["x"][0] == "2019-12-30"
    assert figures(app)["Deployments per week"]["data"][0]["y"] == [0, 0, 0, 0, 0]


def test_an_empty_warehouse_shows_no_data(tmp_path, monkeypatch):
    app = run_app(warehouse_file(tmp_path, []), monkeypatch, **WINDOW)
    assert {tile["value"] for tile in tiles(app).values()} == {"—"}
    assert set(health(app).values()) == {"0"}
    assert app.selectbox(key="team").options == ["All teams"]


def test_a_missing_warehouse_is_an_error_message_not_an_exception(tmp_path, monkeypatch):
    app = run_app(tmp_path / "nowhere.duckdb", monkeypatch)
    assert app.error[0].value.startswith("No warehouse found")
    assert not app.metric


def test_new_data_in_the_warehouse_shows_on_the_next_run(small_org, monkeypatch):
    app = run_app(small_org, monkeypatch, **WINDOW)
    assert tiles(app)["Deployment frequency"]["value"] == "1.00/wk"
    add_checkout_deployment(small_org)
    app.run()
    assert tiles(app)["Deployment frequency"]["value"] == "1.25/wk"   # 5 in 4 weeks


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_start_a_formula_get_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["payments", "a=b", "", " =1", -1.5, 0, None])
def test_csv_cells_that_start_no_formula_stay(value):
    assert neutralise(value) == value


def test_safe_csv_quotes_text_cells_and_keeps_numbers():
    frame = pd.DataFrame({"group": ["=HYPERLINK(\"http://x\")", "ok"], "rate": [-0.5, None],
                          "mixed": ["-2", 3]})
    assert to_safe_csv(frame).decode() == (
        "group,rate,mixed\n"
        "\"'=HYPERLINK(\"\"http://x\"\")\",-0.5,'-2\n"
        "ok,,3\n"
    )
