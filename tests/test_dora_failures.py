"""METRICS.md rules 7 (incident attribution), 8 (rollback), 9 (failed deployments) and 10 (recovery).

Every expected number is computed by hand in the comment next to its assertion.
"""
from __future__ import annotations

from datetime import date

import pytest

from helpers import (
    SINCE,
    UNTIL,
    at,
    build_warehouse,
    commit,
    deployment,
    dora_row,
    incident,
    service,
)
from metrics.health import data_health


def attribution(con) -> dict[str, str | None]:
    """incident id -> the deployment id it is attributed to (None: unattributed)."""
    return dict(con.execute(
        "SELECT incident_id, deployment_id FROM incident_attribution").fetchall())


def rollbacks(con) -> set[tuple[str, str]]:
    """(rollback deployment id, rolled-back deployment id) pairs."""
    return set(con.execute("SELECT deployment_id, rolled_back_id FROM rollbacks").fetchall())


def outcomes(con, column: str) -> dict[str, object]:
    """deployment id -> one column of deployment_outcomes."""
    return dict(con.execute(f"SELECT deployment_id, {column} FROM deployment_outcomes").fetchall())


# Rule 7: incident attribution.

def test_incident_naming_a_deployment_is_attributed_to_it(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "s1", at(2)),
        deployment("d2", "s2", at(5)),
        incident("i1", at(6), caused_by_deployment="d1"),  # d2 is later but d1 is named
        incident("i2", at(20), caused_by_deployment="d1"),  # 18 days later: a named cause has no window
        incident("i3", at(6), repo="acme/app"),  # no cause named: latest of the repo, d2
    ])
    assert attribution(con) == {"i1": "d1", "i2": "d1", "i3": "d2"}


def test_incident_naming_a_commit_is_attributed_to_the_deployment_that_shipped_it(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c0", at(1)),
        commit("c1", at(2), ["c0"]),
        commit("c2", at(2, 12), ["c1"]),
        commit("c3", at(4), ["c2"]),
        deployment("d1", "c0", at(1, 12)),
        deployment("d2", "c2", at(3)),  # ships c1, c2
        deployment("d3", "c3", at(5)),  # ships c3
        incident("i1", at(6), caused_by_sha="c1"),
        incident("i2", at(6), caused_by_sha="c2"),
        incident("i3", at(6), caused_by_sha="c3"),
    ])
    assert attribution(con) == {"i1": "d2", "i2": "d2", "i3": "d3"}


def test_attribution_window_is_seven_days_inclusive(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "s1", at(1)),  # 2024-03-01T00:00Z
        incident("exact", at(8), repo="acme/app"),  # exactly 7 days later: attributed
        incident("late", at(8, 0, 0, 1), repo="acme/app"),  # 7 days + 1 second: unattributed
        incident("nowhere", at(2)),  # names no service, repo or cause: unattributed
    ])
    assert attribution(con) == {"exact": "d1", "late": None, "nowhere": None}
    assert data_health(con, SINCE, UNTIL)["unattributed_incidents"] == 2  # late, nowhere
    row = dora_row(con)
    assert row["failed_deployments"] == 1  # d1 (exact); unattributed ones never count
    assert row["change_failure_rate"] == pytest.approx(1.0)  # 1 / 1


def test_a_deployment_after_the_incident_is_not_blamed(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "s1", at(2)),
        deployment("d2", "s2", at(4, 12)),
        deployment("d3", "s3", at(4, 13)),  # after both incidents started
        incident("same-instant", at(4, 12), repo="acme/app"),  # deployed_at <= started_at: d2
        incident("one-second-before", at(4, 11, 59, 59), repo="acme/app"),  # before d2: d1
    ])
    assert attribution(con) == {"same-instant": "d2", "one-second-before": "d1"}


def test_incident_naming_a_service_picks_that_services_deployment(tmp_path):
    con = build_warehouse(tmp_path, [
        service("api", repos=["acme/mono"]),
        service("web", repos=["acme/mono"]),
        service("billing", repos=["acme/billing"]),
        deployment("api-1", "a1", at(2), repo="acme/mono", service="api"),
        deployment("web-1", "w1", at(3), repo="acme/mono", service="web"),
        deployment("billing-1", "b1", at(2), repo="acme/billing"),  # service through the repo
        deployment("other-1", "o1", at(3), repo="acme/other"),
        incident("i-api", at(4), service="api"),  # web-1 is later, but it is web's
        incident("i-web", at(4), service="web"),
        incident("i-mono", at(4), repo="acme/mono"),  # no service: latest of the repo
        incident("i-billing", at(4), service="billing"),
    ])
    assert attribution(con) == {
        "i-api": "api-1", "i-web": "web-1", "i-mono": "web-1", "i-billing": "billing-1"}


def test_attribution_considers_every_production_environment_and_only_successes(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("production-1", "s1", at(2), environment="production"),
        deployment("prod-1", "s2", at(3), environment="prod"),
        deployment("staging-1", "s3", at(3, 12), environment="staging"),
        deployment("attempt-1", "s4", at(3, 18), status="failure"),
        incident("i1", at(4), repo="acme/app"),
    ])
    assert attribution(con) == {"i1": "prod-1"}  # latest production success before day 4


# Rule 8: rollback.

def test_rollback_and_roll_forward(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "a", at(1)),
        deployment("d2", "b", at(2)),
        deployment("d3", "a", at(2, 6)),  # back to d1's sha: rollback of d2
        deployment("d4", "b", at(3)),  # re-ships the sha d3 rolled back: roll-forward
    ])
    assert rollbacks(con) == {("d3", "d2")}
    assert outcomes(con, "is_rollback") == {"d1": False, "d2": False, "d3": True, "d4": False}
    assert outcomes(con, "rolled_back") == {"d1": False, "d2": True, "d3": False, "d4": False}
    assert outcomes(con, "failed") == {"d1": False, "d2": True, "d3": False, "d4": False}
    assert outcomes(con, "recovered_at")["d2"] == at(2, 6)
    row = dora_row(con)
    assert row["deployments"] == 4
    assert row["failed_deployments"] == 1  # d2
    assert row["change_failure_rate"] == pytest.approx(0.25)  # 1 / 4
    assert row["recovery_p50_hours"] == pytest.approx(6.0)  # d3 day 2 06:00 - d2 day 2 00:00
    assert row["rework_deployments"] == 1  # d3, the rollback
    assert row["rework_rate"] == pytest.approx(0.25)  # 1 / 4


def test_rollback_fails_only_the_immediate_predecessor(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "a", at(1)),
        deployment("d2", "b", at(2)),
        deployment("d3", "c", at(3)),
        deployment("d4", "a", at(4)),  # back to d1's sha past d2 and d3: only d3 is rolled back
    ])
    assert rollbacks(con) == {("d4", "d3")}
    assert outcomes(con, "failed") == {"d1": False, "d2": False, "d3": True, "d4": False}


def test_redeploying_the_same_sha_is_no_rollback(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "a", at(1)),
        deployment("d2", "b", at(2)),
        deployment("d3", "b", at(3)),  # same sha as its predecessor: a redeploy
        deployment("d4", "a", at(4)),  # back to a: rolls back its predecessor d3 only
    ])
    assert rollbacks(con) == {("d4", "d3")}
    assert outcomes(con, "failed") == {"d1": False, "d2": False, "d3": True, "d4": False}


def test_rollback_is_found_within_one_repo_environment_series(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("p1", "a", at(1), environment="production"),
        deployment("q1", "c", at(1, 12), environment="prod"),
        deployment("p2", "b", at(2), environment="Production"),
        deployment("q2", "a", at(2, 12), environment="prod"),  # a never shipped to prod before
        deployment("p3", "a", at(3), environment="PRODUCTION"),  # series production: a, b, a
    ])
    # Mixing the series would make q2 a rollback of p2 and p3 a plain redeploy of q2's sha.
    assert rollbacks(con) == {("p3", "p2")}


# Rule 9: failed deployments and change failure rate.

def test_failed_deployments_and_change_failure_rate(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d0", "s0", at(0)),  # 29 February: before the window
        incident("i0", at(0, 1), at(0, 2), caused_by_deployment="d0"),
        deployment("d1", "s1", at(2)),
        incident("i1", at(2, 1), at(2, 2), caused_by_deployment="d1"),
        deployment("d2", "s2", at(3)),
        incident("i2a", at(3, 1), at(3, 2), caused_by_deployment="d2"),
        incident("i2b", at(3, 3), at(3, 4), caused_by_deployment="d2"),  # d2 still counts once
        deployment("d3", "s3", at(4)),
        deployment("d4", "s4", at(5)),
        deployment("d5", "s3", at(6)),  # back to d3's sha: rolls d4 back
        incident("stray", at(3), repo="acme/nowhere"),  # unattributed: never in the rate
    ])
    assert outcomes(con, "incidents")["d2"] == 2
    assert outcomes(con, "failed") == {
        "d0": True, "d1": True, "d2": True, "d3": False, "d4": True, "d5": False}
    row = dora_row(con)
    assert row["deployments"] == 5  # d1..d5 (d0 is outside)
    assert row["failed_deployments"] == 3  # d1, d2, d4
    assert row["change_failure_rate"] == pytest.approx(0.6)  # 3 / 5
    assert row["change_failure_tier"] == "low"  # 0.6 > 0.15
    assert data_health(con, SINCE, UNTIL)["unattributed_incidents"] == 1


# Rule 10: recovery.

def _recovery_warehouse(tmp_path):
    return build_warehouse(tmp_path, [
        deployment("d0", "z", at(1)),
        deployment("d1", "y", at(2)),
        # d1 also has an incident resolved 30 h later: its rollback still defines its recovery.
        incident("i0", at(2, 1), at(3, 6), caused_by_deployment="d1"),
        deployment("d2", "z", at(2, 2)),  # rollback of d1: d1 recovers after 2 h
        deployment("d3", "x", at(3)),
        incident("i1", at(3, 0, 30), at(3, 1), caused_by_deployment="d3"),
        incident("i2", at(3, 2), at(3, 5), caused_by_deployment="d3"),  # the last one: 5 h
        deployment("d4", "w", at(4)),
        incident("i3", at(4, 1), caused_by_deployment="d4"),  # still open: no recovery
        incident("i3b", at(4, 2), at(4, 3), caused_by_deployment="d4"),  # resolved, but i3 is not
        deployment("d5", "v", at(5)),
        incident("i4", at(5, 1), at(5, 11), caused_by_deployment="d5"),  # 11 h
    ])


def test_recovery_times(tmp_path):
    con = _recovery_warehouse(tmp_path)
    recovered = outcomes(con, "recovered_at")
    assert recovered["d1"] == at(2, 2)  # the rollback d2
    assert recovered["d3"] == at(3, 5)  # i2 resolved, not i1
    assert recovered["d4"] is None  # i3 open (i3b's resolution is not enough)
    assert recovered["d5"] == at(5, 11)
    row = dora_row(con)
    assert row["deployments"] == 6  # d0..d5
    assert row["failed_deployments"] == 4  # d1, d3, d4, d5
    assert row["change_failure_rate"] == pytest.approx(4 / 6)
    assert row["recovery_p50_hours"] == pytest.approx(5.0)  # median of 2, 5, 11 (d4 left out)
    assert row["recovery_tier"] == "high"  # 1 <= 5 < 24


def test_recovery_median_of_an_even_count(tmp_path):
    con = _recovery_warehouse(tmp_path)
    row = dora_row(con, date(2024, 3, 2), date(2024, 3, 4))  # d1, d2, d3
    assert row["deployments"] == 3
    assert row["failed_deployments"] == 2  # d1, d3
    assert row["change_failure_rate"] == pytest.approx(2 / 3)
    assert row["recovery_p50_hours"] == pytest.approx(3.5)  # (2 + 5) / 2


def test_an_open_incident_leaves_the_deployment_out_of_recovery(tmp_path):
    con = _recovery_warehouse(tmp_path)
    row = dora_row(con, date(2024, 3, 4), date(2024, 3, 5))  # d4 only
    assert row["failed_deployments"] == 1
    assert row["change_failure_rate"] == pytest.approx(1.0)
    assert row["recovery_p50_hours"] is None
    assert row["recovery_tier"] is None
