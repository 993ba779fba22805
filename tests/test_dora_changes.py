"""METRICS.md rules 3 (changes of a deployment), 4 (change unit) and 5 (lead time).

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
    changes_by_deployment,
    commit,
    deployment,
    dora_row,
    lead_hours,
    pull_request,
)
from metrics.health import data_health

# Most change-unit tests start from one root commit c0 already deployed by d0 (the series'
# first deployment, so it has no baseline); the deployment under test is d1.
BASE = [commit("c0", at(1)), deployment("d0", "c0", at(1, 12))]


# Rule 3: changes of a deployment.

def test_first_deployment_has_no_baseline_and_no_changes(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(2), ["c1"]),
        commit("c3", at(3), ["c2"]),
        deployment("d1", "c2", at(2, 12)),
        deployment("d2", "c3", at(4)),
    ])
    assert changes_by_deployment(con) == {"d1": set(), "d2": {"c3"}}  # c2..c3 = {c3}
    baseline = dict(con.execute("SELECT id, has_baseline FROM prod_deployments").fetchall())
    assert baseline == {"d1": False, "d2": True}
    row = dora_row(con)
    assert row["deployments"] == 2
    assert row["changes"] == 1
    assert row["lead_time_p50_hours"] == pytest.approx(24.0)  # day 4 00:00 - day 3 00:00
    assert data_health(con, SINCE, UNTIL)["deployments_without_baseline"] == 1  # d1


def test_first_deployment_with_an_explicit_list_has_those_changes(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(2), ["c1"]),
        deployment("d1", "c2", at(3), commits=["c1", "c2"]),
    ])
    assert changes_by_deployment(con) == {"d1": {"c1", "c2"}}
    row = dora_row(con)
    assert row["changes"] == 2
    # Lead times at day 3: c1 48 h, c2 24 h.
    assert row["lead_time_p50_hours"] == pytest.approx(36.0)  # (24 + 48) / 2


def test_explicit_list_wins_over_the_graph(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(2), ["c1"]),
        commit("c3", at(3), ["c2"]),
        commit("c4", at(4), ["c3"]),
        deployment("d1", "c1", at(1, 12)),
        deployment("d2", "c3", at(3, 12), commits=["c3"]),  # the graph would say {c2, c3}
        deployment("d3", "c4", at(5)),  # graph: c3..c4 = {c4}
    ])
    assert changes_by_deployment(con) == {"d1": set(), "d2": {"c3"}, "d3": {"c4"}}
    assert dora_row(con)["changes"] == 2  # c3, c4; c2 is never a change


def test_a_commit_belongs_only_to_the_first_deployment_containing_it(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(2), ["c1"]),
        commit("c3", at(3), ["c2"]),
        deployment("d1", "c1", at(1, 12)),
        deployment("d2", "c2", at(3, 12), commits=["c2", "c3"]),
        deployment("d3", "c3", at(5)),  # graph c2..c3 = {c3}, but d2 already shipped c3
    ])
    assert changes_by_deployment(con) == {"d1": set(), "d2": {"c2", "c3"}, "d3": set()}
    assert dora_row(con)["changes"] == 2


def test_a_commit_belongs_to_one_deployment_across_production_environments(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(2), ["c1"]),
        commit("c3", at(3), ["c2"]),
        deployment("eu", "c2", at(3), environment="production", commits=["c1", "c2"]),
        deployment("us", "c3", at(4), environment="prd", commits=["c1", "c2", "c3"]),
    ])
    # "A commit belongs to the first deployment that contains it only": c1, c2 went out with eu.
    assert changes_by_deployment(con) == {"eu": {"c1", "c2"}, "us": {"c3"}}
    assert dora_row(con)["changes"] == 3


def test_environment_names_differing_in_case_are_one_series(tmp_path):
    con = build_warehouse(tmp_path, [
        commit("c1", at(1)),
        commit("c2", at(2), ["c1"]),
        commit("c3", at(3), ["c2"]),
        deployment("d1", "c1", at(1, 12), environment="production"),
        deployment("d2", "c2", at(2, 12), environment="Production"),
        deployment("d3", "c3", at(3, 12), environment="PRODUCTION"),
    ])
    assert changes_by_deployment(con) == {"d1": set(), "d2": {"c2"}, "d3": {"c3"}}
    assert data_health(con, SINCE, UNTIL)["deployments_without_baseline"] == 1  # only d1


# Rule 4: change unit and its start.

def test_squash_merged_pull_request(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        pull_request("pr-1", at(2), title="Add cache", merge_commit_sha="s1"),
        # Branch commits, linked to the PR, never on main.
        commit("b1", at(2, 10), ["c0"], pr="pr-1"),
        commit("b2", at(3, 8), ["b1"], pr="pr-1"),
        # The squash commit on main, linked too; authored early on purpose: it must not count.
        commit("s1", at(1, 18), ["c0"], pr="pr-1"),
        deployment("d1", "s1", at(5)),
    ])
    assert changes_by_deployment(con)["d1"] == {"pr-1"}
    # Start = earliest branch commit b1 (day 2 10:00); day 5 00:00 - day 2 10:00 = 72 - 10.
    assert lead_hours(con) == {"pr-1": pytest.approx(62.0)}
    row = dora_row(con)
    assert row["changes"] == 1
    assert row["lead_time_p50_hours"] == pytest.approx(62.0)


def test_merge_commit_pull_request(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        pull_request("pr-2", at(2), title="Feature", merge_commit_sha="m2"),
        commit("f1", at(2, 6), ["c0"], pr="pr-2"),
        commit("f2", at(3, 6), ["f1"], pr="pr-2"),
        # The merge commit: known to the PR only as its merge_commit_sha; early on purpose.
        commit("m2", at(1, 20), ["c0", "f2"], message="Merge pull request #2 from acme/feature"),
        deployment("d1", "m2", at(5)),
    ])
    # c0..m2 = {m2, f2, f1}, all of pr-2: one change.
    assert changes_by_deployment(con)["d1"] == {"pr-2"}
    # Start = f1 (day 2 06:00); day 5 00:00 - day 2 06:00 = 72 - 6.
    assert lead_hours(con) == {"pr-2": pytest.approx(66.0)}
    assert dora_row(con)["changes"] == 1


def test_merge_commit_without_pull_request_is_no_change(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        commit("x1", at(2), ["c0"]),
        commit("mm", at(3), ["c0", "x1"], message="Merge branch 'x'"),
        deployment("d1", "mm", at(4)),
    ])
    assert changes_by_deployment(con)["d1"] == {"x1"}  # mm brings x1 in, is no change itself
    assert lead_hours(con) == {"x1": pytest.approx(48.0)}  # day 4 - day 2
    assert dora_row(con)["changes"] == 1


def test_several_commits_of_one_pull_request_are_one_change(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        pull_request("pr-3", at(2), title="Rebased work"),
        commit("p1", at(3), ["c0"], pr="pr-3"),
        commit("p2", at(2, 12), ["p1"], pr="pr-3"),  # earliest author date, not first in graph
        commit("p3", at(3, 12), ["p2"], pr="pr-3"),
        deployment("d1", "p3", at(5)),
    ])
    assert changes_by_deployment(con)["d1"] == {"pr-3"}
    # Start = min authored_at = p2 (day 2 12:00), not created_at (day 2 00:00): 72 - 12.
    assert lead_hours(con) == {"pr-3": pytest.approx(60.0)}
    assert dora_row(con)["changes"] == 1


def test_pull_request_known_only_by_merge_commit_sha_starts_at_created_at(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        pull_request("pr-4", at(2), title="Small fix", merge_commit_sha="s4"),
        commit("s4", at(4), ["c0"]),  # not linked; its squash commit is its only commit
        deployment("d1", "s4", at(5)),
    ])
    assert changes_by_deployment(con)["d1"] == {"pr-4"}
    # No own commit besides the squash commit: start = created_at day 2; day 5 - day 2.
    assert lead_hours(con) == {"pr-4": pytest.approx(72.0)}


def test_lone_commit_starts_at_author_date_not_commit_date(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        commit("l1", at(2), ["c0"], committed_at=at(4)),
        deployment("d1", "l1", at(5), started_at=at(3)),
    ])
    assert changes_by_deployment(con)["d1"] == {"l1"}
    # Finish day 5 - author date day 2 (committed_at would give 24 h, started_at 24 h).
    assert lead_hours(con) == {"l1": pytest.approx(72.0)}


def test_pull_request_shipped_twice_counts_once_in_the_first(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        pull_request("pr-6", at(1, 18), title="Backported fix"),
        commit("a1", at(2), ["c0"], pr="pr-6"),
        deployment("d1", "a1", at(3)),
        commit("a2", at(3, 12), ["a1"], pr="pr-6"),  # a second merge of the same PR
        deployment("d2", "a2", at(4)),
    ])
    changes = changes_by_deployment(con)
    assert changes["d1"] == {"pr-6"}
    assert changes["d2"] == set()
    assert lead_hours(con) == {"pr-6": pytest.approx(24.0)}  # day 3 - a1 day 2
    row = dora_row(con)
    assert row["changes"] == 1
    assert row["lead_time_p50_hours"] == pytest.approx(24.0)


def test_a_roll_forward_ships_no_change_again(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        commit("b", at(2), ["c0"]),
        deployment("d1", "b", at(3)),  # ships b: 24 h
        deployment("d2", "c0", at(4)),  # rollback to c0: c0 is no new change
        deployment("d3", "b", at(5)),  # roll-forward: b went out with d1 already
    ])
    assert changes_by_deployment(con) == {"d0": set(), "d1": {"b"}, "d2": set(), "d3": set()}
    row = dora_row(con)
    assert row["changes"] == 1
    assert row["lead_time_p50_hours"] == pytest.approx(24.0)


# Rule 5: lead time.

def test_lead_time_percentiles_are_continuous(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        commit("l1", at(9, 14), ["c0"]),  # 10 h before day 10
        commit("l2", at(9, 20), ["l1"]),  # 4 h
        commit("l3", at(9, 22), ["l2"]),  # 2 h
        commit("l4", at(9, 23), ["l3"]),  # 1 h
        deployment("d1", "l4", at(10)),
    ])
    row = dora_row(con)
    assert row["changes"] == 4
    assert row["lead_time_p50_hours"] == pytest.approx(3.0)  # (2 + 4) / 2
    assert row["lead_time_p90_hours"] == pytest.approx(8.2)  # position 0.9 * 3 = 2.7: 4 + 0.7 * (10 - 4)
    assert row["lead_time_tier"] == "elite"  # 3 h < 24 h


def test_negative_lead_times_are_dropped_and_counted(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        commit("n1", at(9, 21), ["c0"]),  # 3 h before day 10
        commit("n2", at(10), ["n1"]),  # exactly at the deployment: 0 h, kept
        commit("n3", at(10, 2), ["n2"]),  # 2 h after it (clock skew): -2 h, dropped
        deployment("d1", "n3", at(10)),
    ])
    row = dora_row(con)
    assert row["changes"] == 2  # n1, n2
    assert row["lead_time_p50_hours"] == pytest.approx(1.5)  # (0 + 3) / 2
    assert row["lead_time_p90_hours"] == pytest.approx(2.7)  # 0 + 0.9 * (3 - 0)
    assert data_health(con, SINCE, UNTIL)["negative_lead_times_dropped"] == 1


def test_lead_time_with_mixed_offsets(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        commit("o1", "2024-03-09T17:00:00-07:00", ["c0"]),  # = 2024-03-10T00:00Z
        commit("o2", "2024-03-10T01:30:00+02:00", ["o1"]),  # = 2024-03-09T23:30Z
        deployment("d1", "o2", "2024-03-10T05:00:00+02:00"),  # = 2024-03-10T03:00Z
    ])
    deployed = con.execute("SELECT deployed_at FROM prod_deployments WHERE id = 'd1'").fetchone()[0]
    assert deployed == at(10, 3)
    assert lead_hours(con) == {"o1": pytest.approx(3.0), "o2": pytest.approx(3.5)}
    row = dora_row(con)
    assert row["lead_time_p50_hours"] == pytest.approx(3.25)  # (3 + 3.5) / 2
    assert row["lead_time_p90_hours"] == pytest.approx(3.45)  # 3 + 0.9 * 0.5


def test_changes_count_only_deployments_in_the_window(tmp_path):
    con = build_warehouse(tmp_path, BASE + [
        commit("w1", at(2), ["c0"]),
        deployment("d1", "w1", at(3)),  # 24 h
        commit("w2", at(4), ["w1"]),
        deployment("d2", "w2", at(4, 6)),  # 6 h
    ])
    row = dora_row(con, date(2024, 3, 4), date(2024, 3, 5))  # only d2's day
    assert row["deployments"] == 1
    assert row["changes"] == 1  # w2 only; w1 shipped with d1 on day 3
    assert row["lead_time_p50_hours"] == pytest.approx(6.0)
    # d2's baseline d1 lies before the window: d2 has one; d0 (no baseline) is outside.
    assert data_health(con, date(2024, 3, 4), date(2024, 3, 5))["deployments_without_baseline"] == 0
