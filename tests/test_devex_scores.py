"""0-10 scores per DORA metric and overall (docs/metrics.md, "Scores"), and `pitwall metrics score`.

Anchors (2023): frequency 0.02301 -> 0, 0.2301 -> 2.5, 1 -> 5, 7 -> 7.5, 70 -> 10 per week; change
failure rate 0.005 -> 10, 0.05 -> 7.5, 0.10 -> 5, 0.15 -> 2.5, 1.5 -> 0; lead time and recovery
likewise from their limits. Linear in log10 between anchors.
"""
from __future__ import annotations

import json
import math

import pytest

from helpers import at, commit, deployment, incident, run_pitwall, warehouse_file
from metrics.benchmarks import BENCHMARKS
from metrics.scores import SCORE_COLUMNS, metric_score

FREQUENCY = BENCHMARKS["2023"].deploys_per_week_at_least   # 7, 1, 0.2301
LEAD_TIME = BENCHMARKS["2023"].lead_time_hours_below       # 24, 168, 720
FAILURES = BENCHMARKS["2023"].change_failure_rate_at_most  # 0.05, 0.10, 0.15


@pytest.mark.parametrize(("value", "expected"), [
    (7.0, 7.5), (1.0, 5.0), (0.2301, 2.5),
    (70.0, 10.0), (700.0, 10.0), (0.02301, 0.0), (0.001, 0.0), (0.0, 0.0),
    (3.0, 5 + 2.5 * math.log10(3) / math.log10(7)),                   # 6.41
    (0.5, 2.5 + 2.5 * math.log10(0.5 / 0.2301) / math.log10(1 / 0.2301)),
    (0.1, 2.5 * math.log10(0.1 / 0.02301)),                           # one decade below medium: 0
])
def test_deploy_frequency_score(value, expected):
    assert metric_score(value, FREQUENCY, higher_is_better=True) == pytest.approx(expected)


@pytest.mark.parametrize(("value", "expected"), [
    (0.05, 7.5), (0.10, 5.0), (0.15, 2.5), (0.0, 10.0), (0.005, 10.0), (1.5, 0.0),
    (0.075, 7.5 - 2.5 * math.log10(1.5) / math.log10(2)),             # 6.04
    (1.0, 2.5 - 2.5 * math.log10(1 / 0.15)),                          # 0.44
])
def test_change_failure_score(value, expected):
    assert metric_score(value, FAILURES, higher_is_better=False) == pytest.approx(expected)


def test_lead_time_score_and_unknown():
    assert metric_score(2.4, LEAD_TIME, higher_is_better=False) == pytest.approx(10.0)    # 24 / 10
    assert metric_score(7200.0, LEAD_TIME, higher_is_better=False) == pytest.approx(0.0)  # 720 * 10
    assert metric_score(None, LEAD_TIME, higher_is_better=False) is None
    assert metric_score(float("nan"), LEAD_TIME, higher_is_better=False) is None


# Window 2024-03-01 .. 2024-03-29 (4 weeks). acme/app: d0 (first, no changes), d1 ships k1
# (authored 24 h before: lead time 24 h), d2 ships k2 (240 h); an incident on d2 starts 1 h after
# it and is resolved 3 h after it. 3 deployments: 0.75 / week. CFR 1/3. Recovery 3 h. Lead time
# p50 132 h.
EVENTS = [
    commit("k0", at(1)),
    deployment("d0", "k0", at(1, 12)),
    commit("k1", at(2), ["k0"]),
    deployment("d1", "k1", at(3)),
    commit("k2", at(4), ["k1"]),
    deployment("d2", "k2", at(14)),
    incident("i1", at(14, 1), at(14, 3), caused_by_deployment="d2"),
]


def test_score_command_json(tmp_path):
    warehouse_file(tmp_path, EVENTS)
    result = run_pitwall("--db", "warehouse.duckdb", "metrics", "score", "--since", "2024-03-01",
                         "--until", "2024-03-29", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["group_by"], document["benchmark"]) == ("org", "2023")
    row, = document["rows"]
    assert list(row) == SCORE_COLUMNS
    frequency = 2.5 + 2.5 * math.log10(0.75 / 0.2301) / math.log10(1 / 0.2301)
    lead = 7.5 - 2.5 * math.log10(132 / 24) / math.log10(168 / 24)    # between 24 h (7.5) and 168 h (5)
    failures = 2.5 * (1 - math.log10((1 / 3) / 0.15))                # between 0.15 (2.5) and 1.5 (0)
    recovery = 7.5 - 2.5 * math.log10(3) / math.log10(24)            # between 1 h (7.5) and 24 h (5)
    assert row["deploys_per_week"] == pytest.approx(0.75)
    assert row["lead_time_p50_hours"] == pytest.approx(132.0)
    assert row["deploy_frequency_score"] == pytest.approx(frequency)
    assert row["lead_time_score"] == pytest.approx(lead)
    assert row["change_failure_score"] == pytest.approx(failures)
    assert row["recovery_score"] == pytest.approx(recovery)
    assert row["score"] == pytest.approx((frequency + lead + failures + recovery) / 4)
