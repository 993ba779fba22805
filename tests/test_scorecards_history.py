"""Results stored per evaluation day (a day re-evaluated is replaced), trends per service and
rollups per team and org, through the API and `pitwall scorecards history`."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from helpers import component, run_pitwall, write_catalog
from ingest.catalog import import_catalog
from scorecards.evaluate import evaluate
from scorecards.facts import DEFAULT_REGISTRY
from scorecards.history import ROLLUP_COLUMNS, TREND_COLUMNS, rollups, service_trends
from scorecards.spec import load_specs
from scorecards.store import save_evaluation
from warehouse import connect

DAY1, DAY2 = date(2026, 1, 5), date(2026, 1, 6)

READY, OTHER = load_specs([("ready.yaml", dedent("""
    id: ready
    levels: [Bronze, Silver]
    rules:
      - {id: owned, level: Bronze, check: {fact: owner, op: exists}}
      - {id: golden, level: Silver, weight: 3, check: {fact: tags, op: contains, value: gold}}
    """)), ("other.yaml", dedent("""
    id: other
    levels: [Listed]
    rules:
      - {id: listed, level: Listed, check: {fact: type, op: exists}}
    """))], DEFAULT_REGISTRY)


def run(con, folder: Path, day: date, cards, *services) -> None:
    """Import a catalog of `services`, then evaluate `cards` on `day` and store the results."""
    import_catalog(con, [write_catalog(folder / day.isoformat() / str(len(services)) / "catalog-info.yaml",
                                       *services)])
    save_evaluation(con, evaluate(con, cards, day))


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """Day 1: a Silver (x), b Bronze (x), c none (no owner). Day 2: b turns Silver and c leaves the
    catalog; day 2 was evaluated twice (c still there the first time), "other" on day 1 only."""
    folder = tmp_path_factory.mktemp("history")
    con = connect(folder / "w.duckdb")
    a, c = component("a", owner="x", tags=["gold"]), component("c", owner=None, tags=["gold"])
    run(con, folder, DAY1, [READY, OTHER], a, component("b", owner="x"), c)
    run(con, folder, DAY2, [READY], a, component("b", owner="x", tags=["gold"]), c)
    run(con, folder, DAY2, [READY], a, component("b", owner="x", tags=["gold"]))
    con.close()
    return folder / "w.duckdb"


@pytest.fixture
def con(db):
    connection = connect(db, read_only=True)
    yield connection
    connection.close()


def rows(frame) -> list[tuple]:
    return [tuple(row) for row in frame.itertuples(index=False, name=None)]


def test_a_day_evaluated_again_replaces_that_days_rows_of_that_scorecard_only(con) -> None:
    stored = con.execute("SELECT evaluated_on, scorecard, count(*) FROM scorecard_results "
                         "GROUP BY ALL ORDER BY ALL").fetchall()
    assert stored == [(DAY1, "other", 3), (DAY1, "ready", 3), (DAY2, "ready", 2)]
    assert con.execute("SELECT count(*) FROM scorecard_rule_results WHERE evaluated_on = ?", [DAY2]).fetchone() == (4,)
    assert con.execute("SELECT evaluated_on, scorecard, levels FROM scorecard_runs ORDER BY ALL").fetchall() == [
        (DAY1, "other", ["Listed"]), (DAY1, "ready", ["Bronze", "Silver"]), (DAY2, "ready", ["Bronze", "Silver"])]


def test_trends_per_service(con) -> None:
    frame = service_trends(con, scorecard="ready")
    assert list(frame.columns) == TREND_COLUMNS
    assert rows(frame) == [
        (DAY1, "ready", "a", "x", "Silver", 1.0),
        (DAY2, "ready", "a", "x", "Silver", 1.0),
        (DAY1, "ready", "b", "x", "Bronze", 0.25),         # owned 1 of 1 + 3
        (DAY2, "ready", "b", "x", "Silver", 1.0),
        (DAY1, "ready", "c", "unassigned", "none", 0.75),  # golden 3 of 4
    ]
    assert rows(service_trends(con, service="b", since=DAY2)) == [(DAY2, "ready", "b", "x", "Silver", 1.0)]
    assert rows(service_trends(con, until=DAY2, scorecard="other", team="unassigned")) == [
        (DAY1, "other", "c", "unassigned", "Listed", 1.0)]


def test_rollups_per_team_give_the_share_at_each_level_and_the_mean_score(con) -> None:
    frame = rollups(con, "team", scorecard="ready")
    assert list(frame.columns) == ROLLUP_COLUMNS
    assert rows(frame) == [
        (DAY1, "ready", "unassigned", 1, 0.75, "none", 1, 1.0),
        (DAY1, "ready", "unassigned", 1, 0.75, "Bronze", 0, 0.0),
        (DAY1, "ready", "unassigned", 1, 0.75, "Silver", 0, 0.0),
        (DAY1, "ready", "x", 2, 0.625, "none", 0, 0.0),
        (DAY1, "ready", "x", 2, 0.625, "Bronze", 1, 0.5),
        (DAY1, "ready", "x", 2, 0.625, "Silver", 1, 0.5),
        (DAY2, "ready", "x", 2, 1.0, "none", 0, 0.0),
        (DAY2, "ready", "x", 2, 1.0, "Bronze", 0, 0.0),
        (DAY2, "ready", "x", 2, 1.0, "Silver", 2, 1.0),
    ]


def test_rollups_for_the_whole_org(con) -> None:
    assert rows(rollups(con, "org", scorecard="ready")) == [
        (DAY1, "ready", "all", 3, pytest.approx(2 / 3), "none", 1, pytest.approx(1 / 3)),
        (DAY1, "ready", "all", 3, pytest.approx(2 / 3), "Bronze", 1, pytest.approx(1 / 3)),
        (DAY1, "ready", "all", 3, pytest.approx(2 / 3), "Silver", 1, pytest.approx(1 / 3)),
        (DAY2, "ready", "all", 2, 1.0, "none", 0, 0.0),
        (DAY2, "ready", "all", 2, 1.0, "Bronze", 0, 0.0),
        (DAY2, "ready", "all", 2, 1.0, "Silver", 2, 1.0),
    ]


def test_the_history_command_prints_the_same_rows_as_json_and_csv(db) -> None:
    folder = db.parent
    result = run_pitwall("--db", str(db), "scorecards", "history", "--team", "x", "--scorecard", "ready",
                         "--since", "2026-01-06", "--format", "json", cwd=folder)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["by"] == "team"
    assert body["rows"] == [
        {"evaluated_on": "2026-01-06", "scorecard": "ready", "group": "x", "services": 2, "mean_score": 1.0,
         "level": level, "services_at_level": n, "share": share}
        for level, n, share in (("none", 0, 0.0), ("Bronze", 0, 0.0), ("Silver", 2, 1.0))]
    as_csv = run_pitwall("--db", str(db), "scorecards", "history", "--service", "c", "--format", "csv", cwd=folder)
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        TREND_COLUMNS,
        ["2026-01-05", "other", "c", "unassigned", "Listed", "1.0"],
        ["2026-01-05", "ready", "c", "unassigned", "none", "0.75"],
    ]
    table = run_pitwall("--db", str(db), "scorecards", "history", "--by", "org", "--scorecard", "other", cwd=folder)
    assert table.stdout.splitlines()[0] == "Share of services at each level, per org and day"
    assert table.stdout.splitlines()[3].split() == ["2026-01-05", "other", "all", "3", "1.00", "none", "0", "0.00"]
