"""METRICS.md rule 12 (groups: org, repo, service, team; --all-groups; filters).

Every expected number is computed by hand in the comment next to its assertion.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from helpers import (
    at,
    build_warehouse,
    commit,
    deployment,
    dora_row,
    dora_rows,
    incident,
    service,
    team,
)

# The catalog:
#   checkout  (team payments)  repo acme/checkout
#   ledger    (team payments)  repo acme/ledger
#   legacy    (team payments)  repo acme/legacy      -- never deploys
#   search-api (team search)   repo acme/shared      -- acme/shared is mapped by two services
#   search-ui  (team search)   repo acme/shared
#   orphan    (no team)        repo acme/orphan
# Deployments (window March 1-29, 28 days):
#   c1, c2   acme/checkout, no service         -> checkout / payments; c2 ships k1 (12 h)
#   c3       acme/checkout, service "ledger"   -> ledger / payments (its own service wins);
#            c3 ships k2 (2 h)
#   l1       acme/ledger, no service           -> ledger / payments; an incident fails it
#   s1       acme/shared, service "search-ui"  -> search-ui / search
#   s2       acme/shared, no service           -> unassigned / unassigned (two services map)
#   o1       acme/orphan, no service           -> orphan / unassigned (service without team)
#   u1       acme/unknown, no service          -> unassigned / unassigned (no service maps)
GROUPS_EVENTS = [
    team("payments"),
    team("search"),
    service("checkout", team="payments", repos=["acme/checkout"]),
    service("ledger", team="payments", repos=["acme/ledger"]),
    service("legacy", team="payments", repos=["acme/legacy"]),
    service("search-api", team="search", repos=["acme/shared"]),
    service("search-ui", team="search", repos=["acme/shared"]),
    service("orphan", repos=["acme/orphan"]),
    commit("k0", at(1), repo="acme/checkout"),
    commit("k1", at(2, 12), ["k0"], repo="acme/checkout"),
    commit("k2", at(4), ["k1"], repo="acme/checkout"),
    deployment("c1", "k0", at(2), repo="acme/checkout"),
    deployment("c2", "k1", at(3), repo="acme/checkout"),
    deployment("c3", "k2", at(4, 2), repo="acme/checkout", service="ledger"),
    deployment("l1", "m1", at(5), repo="acme/ledger"),
    incident("i1", at(5, 1), at(5, 4), caused_by_deployment="l1"),
    deployment("s1", "h1", at(6), repo="acme/shared", service="search-ui"),
    deployment("s2", "h2", at(7), repo="acme/shared"),
    deployment("o1", "r1", at(8), repo="acme/orphan"),
    deployment("u1", "q1", at(9), repo="acme/unknown"),
]


@pytest.fixture
def groups_con(tmp_path):
    return build_warehouse(tmp_path, GROUPS_EVENTS)


def counts(rows) -> list[tuple[str, int]]:
    """(group, deployments) of each row, in row order."""
    return [(row["group"], row["deployments"]) for row in rows]


def test_resolved_service_and_team_of_each_deployment(groups_con):
    resolved = {row[0]: (row[1], row[2]) for row in groups_con.execute(
        "SELECT id, service, team FROM prod_deployments").fetchall()}
    assert resolved == {
        "c1": ("checkout", "payments"), "c2": ("checkout", "payments"),
        "c3": ("ledger", "payments"), "l1": ("ledger", "payments"),
        "s1": ("search-ui", "search"), "s2": ("unassigned", "unassigned"),
        "o1": ("orphan", "unassigned"), "u1": ("unassigned", "unassigned"),
    }


def test_org_group(groups_con):
    rows = dora_rows(groups_con)
    assert counts(rows) == [("all", 8)]
    assert rows[0]["deploys_per_week"] == pytest.approx(2.0)  # 8 / 4 weeks


def test_by_repo_sorted(groups_con):
    assert counts(dora_rows(groups_con, group_by="repo")) == [
        ("acme/checkout", 3), ("acme/ledger", 1), ("acme/orphan", 1),
        ("acme/shared", 2), ("acme/unknown", 1)]


def test_by_service_changes_and_failures_follow_their_deployment(groups_con):
    rows = dora_rows(groups_con, group_by="service")
    assert counts(rows) == [
        ("checkout", 2), ("ledger", 2), ("orphan", 1), ("search-ui", 1), ("unassigned", 2)]
    checkout, ledger = rows[0], rows[1]
    assert checkout["changes"] == 1  # k1 (c1 is the first of its series: no changes)
    assert checkout["lead_time_p50_hours"] == pytest.approx(12.0)  # c2 day 3 - k1 day 2 12:00
    assert checkout["failed_deployments"] == 0
    assert checkout["deploys_per_week"] == pytest.approx(0.5)  # 2 / 4
    assert ledger["changes"] == 1  # k2, shipped by c3 (a ledger deployment in acme/checkout)
    assert ledger["lead_time_p50_hours"] == pytest.approx(2.0)  # c3 day 4 02:00 - k2 day 4 00:00
    assert ledger["failed_deployments"] == 1  # l1
    assert ledger["change_failure_rate"] == pytest.approx(0.5)  # 1 / 2
    assert ledger["recovery_p50_hours"] == pytest.approx(4.0)  # i1 resolved day 5 04:00 - l1 day 5


def test_groups_without_deployments_in_the_window_have_no_row(groups_con):
    # From March 6: s1 (day 6), s2 (7), o1 (8), u1 (9); acme/checkout and acme/ledger deploy earlier.
    rows = dora_rows(groups_con, at(6).date(), at(29).date(), group_by="repo")
    assert counts(rows) == [("acme/orphan", 1), ("acme/shared", 2), ("acme/unknown", 1)]


def test_by_team(groups_con):
    rows = dora_rows(groups_con, group_by="team")
    # payments: c1, c2, c3, l1; search: s1; unassigned: s2, o1, u1.
    assert counts(rows) == [("payments", 4), ("search", 1), ("unassigned", 3)]
    payments = rows[0]
    assert payments["changes"] == 2  # k1 (12 h), k2 (2 h)
    assert payments["lead_time_p50_hours"] == pytest.approx(7.0)  # (2 + 12) / 2
    assert payments["failed_deployments"] == 1
    assert payments["change_failure_rate"] == pytest.approx(0.25)  # 1 / 4


def test_all_groups_adds_known_groups_without_deployments(groups_con):
    rows = dora_rows(groups_con, group_by="service", all_groups=True)
    assert counts(rows) == [
        ("checkout", 2), ("ledger", 2), ("legacy", 0), ("orphan", 1), ("search-api", 0),
        ("search-ui", 1), ("unassigned", 2)]
    legacy = rows[2]
    assert legacy["deploys_per_week"] == 0
    assert legacy["deploy_frequency_tier"] == "low"
    for column in ("changes", "lead_time_p50_hours", "lead_time_p90_hours", "failed_deployments",
                   "change_failure_rate", "recovery_p50_hours", "rework_deployments",
                   "rework_rate", "lead_time_tier", "change_failure_tier", "recovery_tier"):
        assert legacy[column] is None, column


def test_team_filter(groups_con):
    rows = dora_rows(groups_con, group_by="service", team="payments")
    assert counts(rows) == [("checkout", 2), ("ledger", 2)]
    assert dora_row(groups_con, service="ledger")["deployments"] == 2  # org row of ledger alone


def test_monorepo_path_prefix_maps_deployments_naming_no_service(tmp_path):
    con = build_warehouse(tmp_path, [
        service("mono-a", team="alpha", repos=[("acme/mono", "services/a")]),
        service("mono-b", team="beta", repos=[("acme/mono", "services/b/")]),
        service("solo", team="alpha", repos=[("acme/solo", "apps/solo")]),
        deployment("m1", "x1", at(2), repo="acme/mono", service="mono-a"),
        deployment("m2", "x2", at(3), repo="acme/mono", service="mono-b"),
        deployment("m3", "x3", at(4), repo="acme/mono"),  # two services map acme/mono
        deployment("p1", "y1", at(5), repo="acme/solo"),  # one service maps acme/solo
    ])
    assert counts(dora_rows(con, group_by="service")) == [
        ("mono-a", 1), ("mono-b", 1), ("solo", 1), ("unassigned", 1)]
    assert counts(dora_rows(con, group_by="team")) == [("alpha", 2), ("beta", 1), ("unassigned", 1)]


def test_deploys_per_week_uses_window_length(groups_con):
    # The same 8 deployments over a 56-day window (March 1 - April 26): 8 / (56 / 7) = 1.0.
    row = dora_row(groups_con, at(1).date(), (at(1) + timedelta(days=56)).date())
    assert row["deploys_per_week"] == pytest.approx(1.0)
    assert row["deploy_frequency_tier"] == "high"  # exactly 1/week
