"""METRICS.md rule 13 (tiers, benchmark 2023): each boundary, and `tier` = lowest known tier.

Every expected number is computed by hand in the comment next to its assertion.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from helpers import at, build_warehouse, commit, deployment, dora_row, incident


@pytest.mark.parametrize("count, days, per_week, expected", [
    (7, 7, 7.0, "elite"),  # exactly 7/week
    (14, 14, 7.0, "elite"),
    (6, 7, 6.0, "high"),
    (1, 7, 1.0, "high"),  # exactly 1/week
    (3, 28, 0.75, "medium"),
    (3, 91, 3 / 13, "medium"),  # 0.2308 >= 0.2301 (12/year)
    (2, 91, 2 / 13, "low"),  # 0.1538 < 0.2301
])
def test_deploy_frequency_tier(tmp_path, count, days, per_week, expected):
    con = build_warehouse(tmp_path, [deployment(f"d{i}", f"s{i}", at(1, i)) for i in range(count)])
    since = date(2024, 3, 1)
    row = dora_row(con, since, since + timedelta(days=days))
    assert row["deployments"] == count
    assert row["deploys_per_week"] == pytest.approx(per_week)  # count / (days / 7)
    assert row["deploy_frequency_tier"] == expected


@pytest.mark.parametrize("lead, expected", [
    (timedelta(hours=23, minutes=54), "elite"),  # 23.9 h < 24 h
    (timedelta(hours=24), "high"),  # exactly 24 h is not < 24 h
    (timedelta(hours=167), "high"),
    (timedelta(hours=168), "medium"),  # exactly one week
    (timedelta(hours=719), "medium"),
    (timedelta(hours=720), "low"),  # exactly 30 days
])
def test_lead_time_tier(tmp_path, lead, expected):
    deployed = at(20)
    con = build_warehouse(tmp_path, [
        commit("c1", deployed - lead),
        deployment("d1", "c1", deployed, commits=["c1"]),
    ])
    row = dora_row(con)
    assert row["lead_time_p50_hours"] == pytest.approx(lead.total_seconds() / 3600)
    assert row["lead_time_tier"] == expected


@pytest.mark.parametrize("count, failed, rate, expected", [
    (20, 1, 0.05, "elite"),  # exactly 0.05
    (20, 2, 0.10, "high"),  # exactly 0.10
    (20, 3, 0.15, "medium"),  # exactly 0.15
    (25, 4, 0.16, "low"),  # 0.16 > 0.15
])
def test_change_failure_tier(tmp_path, count, failed, rate, expected):
    events = [deployment(f"d{i}", f"s{i}", at(1, i)) for i in range(count)]
    events += [incident(f"i{i}", at(1, i, 10), at(1, i, 20), caused_by_deployment=f"d{i}")
               for i in range(failed)]
    con = build_warehouse(tmp_path, events)
    row = dora_row(con)
    assert row["failed_deployments"] == failed
    assert row["change_failure_rate"] == pytest.approx(rate)  # failed / count
    assert row["change_failure_tier"] == expected


@pytest.mark.parametrize("recovery, expected", [
    (timedelta(minutes=30), "elite"),
    (timedelta(hours=1), "high"),  # exactly 1 h is not < 1 h
    (timedelta(hours=23, minutes=30), "high"),
    (timedelta(hours=24), "medium"),
    (timedelta(hours=167), "medium"),
    (timedelta(hours=168), "low"),
])
def test_recovery_tier(tmp_path, recovery, expected):
    con = build_warehouse(tmp_path, [
        deployment("d1", "s1", at(2)),
        incident("i1", at(2), at(2) + recovery, caused_by_deployment="d1"),
    ])
    row = dora_row(con)
    assert row["recovery_p50_hours"] == pytest.approx(recovery.total_seconds() / 3600)
    assert row["recovery_tier"] == expected


def test_tier_is_the_lowest_known_tier(tmp_path):
    events = []
    for i in range(7):  # one deployment a day in the week March 1-7, each shipping one commit
        events.append(commit(f"c{i}", at(i + 1, 10)))
        events.append(deployment(f"d{i}", f"c{i}", at(i + 1, 12), commits=[f"c{i}"]))
    events.append(incident("i1", at(4, 12), at(4, 12, 30), caused_by_deployment="d3"))
    con = build_warehouse(tmp_path, events)
    row = dora_row(con, date(2024, 3, 1), date(2024, 3, 8))
    assert row["deploy_frequency_tier"] == "elite"  # 7 / (7 / 7) = 7
    assert row["lead_time_p50_hours"] == pytest.approx(2.0)
    assert row["lead_time_tier"] == "elite"  # 2 h
    assert row["change_failure_rate"] == pytest.approx(1 / 7)
    assert row["change_failure_tier"] == "medium"  # 0.1429: > 0.10, <= 0.15
    assert row["recovery_p50_hours"] == pytest.approx(0.5)
    assert row["recovery_tier"] == "elite"  # 0.5 h
    assert row["tier"] == "medium"  # lowest of elite, elite, medium, elite


def test_null_metrics_have_null_tiers_and_are_ignored_by_tier(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "s1", at(2)),
        deployment("d2", "s2", at(9)),
    ])
    row = dora_row(con)
    assert row["deploy_frequency_tier"] == "medium"  # 2 / 4 = 0.5 per week
    assert row["lead_time_p50_hours"] is None
    assert row["lead_time_tier"] is None
    assert row["change_failure_tier"] == "elite"  # 0 / 2
    assert row["recovery_p50_hours"] is None
    assert row["recovery_tier"] is None
    assert row["tier"] == "medium"  # lowest of the known medium, elite
