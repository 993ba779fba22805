"""METRICS.md rules 1 (deployment), 2 (order) and 6 (frequency, window boundaries).

Every expected number is computed by hand in the comment next to its assertion.
"""
from __future__ import annotations

from datetime import date

import pytest

from helpers import (
    at,
    build_warehouse,
    changes_by_deployment,
    commit,
    deployment,
    dora_row,
    dora_rows,
    incident,
    pull_request,
)
from metrics.health import data_health
from metrics.settings import MetricsSettings

SINCE, UNTIL = date(2024, 3, 1), date(2024, 3, 29)  # 28 days = 4 weeks


def test_only_production_successes_are_deployments(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("p1", "a1", at(2), environment="production"),
        deployment("p2", "a2", at(3), environment="Production"),
        deployment("p3", "a3", at(4), environment="prod"),
        deployment("p4", "a4", at(5), environment="PRD"),
        deployment("canary", "a5", at(6), environment="production-canary"),
        deployment("stage", "a6", at(7), environment="staging"),
        deployment("f1", "a7", at(8), status="failure"),
        deployment("e1", "a8", at(9), status="error"),
        deployment("x1", "a9", at(10), status="cancelled"),
        deployment("f2", "a10", at(11), environment="Prod", status="failure"),
        deployment("f0", "a11", at(0), status="failure"),  # 29 February: outside the window
    ])
    ids = {row[0] for row in con.execute("SELECT id FROM prod_deployments").fetchall()}
    assert ids == {"p1", "p2", "p3", "p4"}  # production, Production, prod, PRD; not canary/staging/attempts
    row = dora_row(con, SINCE, UNTIL)
    assert row["deployments"] == 4
    assert row["deploys_per_week"] == pytest.approx(1.0)  # 4 / (28 / 7)
    assert row["failed_deployments"] == 0  # attempts are never failed deployments
    assert row["change_failure_rate"] == pytest.approx(0.0)  # 0 / 4
    health = data_health(con, SINCE, UNTIL)
    assert health["failed_attempts"] == 4  # f1 failure, e1 error, x1 cancelled, f2 failure on "Prod"
    # Three series start here: production (+ Production), prod, PRD -> three first deployments.
    assert health["deployments_without_baseline"] == 3


def test_failed_attempt_is_neither_baseline_nor_rollback_target(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c0", at(1)),
        commit("c1", at(2), ["c0"]),
        commit("c2", at(3, 12), ["c1"]),
        deployment("d1", "c0", at(2)),
        deployment("f", "c1", at(3), status="failure"),
        deployment("d2", "c2", at(4)),
        # c1 was only ever shipped by the failed attempt: re-shipping it is no rollback.
        deployment("d3", "c1", at(5)),
    ])
    changes = changes_by_deployment(con)
    # d2's previous successful deployment is d1 (c0), so c0..c2 = {c1, c2}.
    assert changes["d2"] == {"c1", "c2"}
    assert changes["d3"] == set()  # c2..c1 is empty
    assert con.execute("SELECT count(*) FROM rollbacks").fetchone()[0] == 0
    row = dora_row(con, SINCE, UNTIL)
    assert row["deployments"] == 3  # d1, d2, d3
    assert row["failed_deployments"] == 0
    assert row["changes"] == 2
    # Lead times at d2 (day 4 00:00): c1 authored day 2 00:00 -> 48 h, c2 day 3 12:00 -> 12 h.
    assert row["lead_time_p50_hours"] == pytest.approx(30.0)  # (12 + 48) / 2
    assert row["lead_time_p90_hours"] == pytest.approx(44.4)  # 12 + 0.9 * (48 - 12)
    assert data_health(con, SINCE, UNTIL)["failed_attempts"] == 1


def test_deployments_are_ordered_by_finish_time_not_import_or_start(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(4), ["c1"]),
        commit("c3", at(8), ["c2"]),
        # Imported and started in the order b, a, c; finished in the order a, c, b.
        deployment("b", "c3", at(10), started_at=at(1)),
        deployment("a", "c1", at(2, 1), started_at=at(2)),
        deployment("c", "c2", at(5), started_at=at(3)),
    ])
    changes = changes_by_deployment(con)
    assert changes == {"a": set(), "c": {"c2"}, "b": {"c3"}}  # a first (no baseline), c1..c2, c2..c3
    baseline = dict(con.execute("SELECT id, has_baseline FROM prod_deployments").fetchall())
    assert baseline == {"a": False, "c": True, "b": True}


def test_ties_are_broken_by_numeric_id(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(2), ["c1"]),
        commit("c3", at(3), ["c2"]),
        deployment("1", "c1", at(1, 12)),
        deployment("10", "c3", at(5, 12)),  # same finish time as "9"
        deployment("9", "c2", at(5, 12)),
    ])
    # Numeric order 1, 9, 10: "9" ships c1..c2 = {c2}, "10" ships c2..c3 = {c3}.
    # (Text order 1, 10, 9 would give "10" {c2, c3} and "9" nothing.)
    assert changes_by_deployment(con) == {"1": set(), "9": {"c2"}, "10": {"c3"}}


# A repo deploying on these instants; the window is [2024-03-04, 2024-03-18), 14 days.
FREQUENCY_DEPLOYMENTS = [
    ("out-before", "2024-03-03T23:59:59Z"),     # one second before `since`: outside
    ("at-since", "2024-03-04T00:00:00Z"),       # exactly `since`: inside
    ("d3", "2024-03-06T12:00:00Z"),
    ("d4", "2024-03-08T12:00:00Z"),
    ("d5", "2024-03-11T12:00:00Z"),
    ("d6", "2024-03-13T12:00:00Z"),
    ("offset", "2024-03-18T01:00:00+02:00"),    # = 2024-03-17T23:00Z: inside
    ("at-until", "2024-03-18T00:00:00Z"),       # exactly `until`: outside
]


def _frequency_warehouse(tmp_path):
    return build_warehouse(tmp_path, [
        deployment(name, f"sha-{name}", finished) for name, finished in FREQUENCY_DEPLOYMENTS])


def test_deployment_frequency_and_window_boundaries(tmp_path):
    con = _frequency_warehouse(tmp_path)
    row = dora_row(con, date(2024, 3, 4), date(2024, 3, 18))
    assert row["deployments"] == 6  # at-since, d3, d4, d5, d6, offset
    assert row["deploys_per_week"] == pytest.approx(3.0)  # 6 / (14 / 7)
    assert row["deploy_frequency_tier"] == "high"  # 1 <= 3.0 < 7
    assert row["changes"] == 0  # no commits are known
    assert row["lead_time_p50_hours"] is None
    assert row["lead_time_p90_hours"] is None
    assert row["lead_time_tier"] is None
    assert row["failed_deployments"] == 0
    assert row["change_failure_rate"] == pytest.approx(0.0)  # 0 / 6
    assert row["change_failure_tier"] == "elite"  # 0 <= 0.05
    assert row["recovery_p50_hours"] is None
    assert row["recovery_tier"] is None
    assert row["rework_deployments"] == 0
    assert row["rework_rate"] == pytest.approx(0.0)
    assert row["tier"] == "high"  # lowest known of high, elite


def test_empty_window_has_no_org_row(tmp_path):
    con = _frequency_warehouse(tmp_path)
    assert dora_rows(con, date(2024, 5, 1), date(2024, 5, 15)) == []


def test_empty_window_with_all_groups_gives_zero_and_nulls(tmp_path):
    con = _frequency_warehouse(tmp_path)
    rows = dora_rows(con, date(2024, 5, 1), date(2024, 5, 15), all_groups=True)
    assert rows == [{
        "group": "all",
        "deployments": 0,
        "deploys_per_week": 0,
        "changes": None,
        "lead_time_p50_hours": None,
        "lead_time_p90_hours": None,
        "failed_deployments": None,
        "change_failure_rate": None,  # 0 deployments: null
        "recovery_p50_hours": None,
        "rework_deployments": None,
        "rework_rate": None,
        "deploy_frequency_tier": "low",
        "lead_time_tier": None,
        "change_failure_tier": None,
        "recovery_tier": None,
        "tier": "low",  # the lowest (only) known tier
    }]


def test_settings_replace_the_defaults(tmp_path):
    settings = MetricsSettings(production_environments=("live",), attribution_window_days=1,
                               rework_labels=("emergency",))
    con = build_warehouse(tmp_path, [
        pull_request("pr-1", at(1), title="Urgent", labels=["hotfix"]),  # no longer a rework label
        commit("k0", at(1, 12), pr="pr-1"),
        deployment("l1", "k0", at(2), environment="live", commits=["k0"]),
        pull_request("pr-2", at(2), number=2, title="Fix it", labels=["Emergency"]),
        commit("k1", at(2, 12), ["k0"], pr="pr-2"),
        deployment("l2", "k1", at(3), environment="LIVE"),
        deployment("p1", "k2", at(4), environment="production"),  # not production here
        incident("i1", at(3, 23), repo="acme/app"),  # 23 h after l2: within 1 day
        incident("i2", at(5, 1), repo="acme/app"),  # 49 h after l2, and p1 does not count
    ], settings)
    ids = {row[0] for row in con.execute("SELECT id FROM prod_deployments").fetchall()}
    assert ids == {"l1", "l2"}
    row = dora_row(con)
    assert row["deployments"] == 2
    assert row["failed_deployments"] == 1  # l2 (i1)
    assert row["change_failure_rate"] == pytest.approx(0.5)  # 1 / 2
    assert row["rework_deployments"] == 1  # l2: pr-2 is labelled Emergency
    assert row["lead_time_p50_hours"] == pytest.approx(12.0)  # l1: 12 h (k0), l2: 12 h (k1)
    assert data_health(con, SINCE, UNTIL)["unattributed_incidents"] == 1  # i2
