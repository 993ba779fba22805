"""Weekly buckets in a non-UTC time zone: a Sunday-night event at UTC-7 is Monday in UTC, so it
lands in the next week's bucket in UTC but in its own week locally (America/Phoenix: UTC-7
all year, no daylight saving time).

Window: March 1-29 2024. Weeks (Mondays): in UTC Feb 26, Mar 4, 11, 18, 25; in Phoenix the
window starts Feb 29 17:00 local, so the same Mondays.
"""
from __future__ import annotations

from datetime import date

import pytest

from helpers import SINCE, UNTIL, at, authored_commit, build_warehouse, deployment, flow_pull_request
from metrics.devex import Scope, devex_weekly_series
from metrics.dora import weekly_series
from metrics.settings import MetricsSettings

SUNDAY_NIGHT = "2024-03-03T23:30:00-07:00"  # Monday March 4, 06:30 UTC
PHOENIX = "America/Phoenix"
MONDAYS = [date(2024, 2, 26), date(2024, 3, 4), date(2024, 3, 11), date(2024, 3, 18), date(2024, 3, 25)]

EVENTS = [
    deployment("d0", "k0", at(1, 12), commits=[]),
    authored_commit("k1", "2024-03-03T20:30:00-07:00", author="ann", pr="p1"),
    flow_pull_request("p1", "ann", "2024-03-03T21:00:00-07:00", merged_at=SUNDAY_NIGHT),
    deployment("d1", "k1", SUNDAY_NIGHT, commits=["k1"]),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("weekly"), EVENTS)


def weekly_deployments(frame) -> dict[date, int]:
    return dict(zip(frame["week"], frame["deployments"]))


def test_dora_weekly_series_in_utc_puts_the_deployment_in_the_next_week(con):
    weeks = weekly_deployments(weekly_series(con, SINCE, UNTIL))
    assert list(weeks) == MONDAYS
    assert weeks[date(2024, 2, 26)] == 1  # d0 only (March 1)
    assert weeks[date(2024, 3, 4)] == 1   # d1: Monday 06:30 UTC


def test_dora_weekly_series_locally_keeps_it_in_its_own_week(con):
    weeks = weekly_deployments(weekly_series(con, SINCE, UNTIL, tz=PHOENIX))
    assert list(weeks) == MONDAYS
    assert weeks[date(2024, 2, 26)] == 2  # d0 and d1 (Sunday 23:30 local)
    assert weeks[date(2024, 3, 4)] == 0
    local = weekly_series(con, SINCE, UNTIL, tz=PHOENIX)
    lead = dict(zip(local["week"], local["lead_time_p50_hours"]))
    assert lead[date(2024, 2, 26)] == pytest.approx(3.0)  # k1 authored 20:30, deployed 23:30


def test_devex_weekly_series_follows_the_configured_time_zone(con):
    scope = Scope(SINCE, UNTIL)
    utc = devex_weekly_series(con, scope, MetricsSettings())
    local = devex_weekly_series(con, scope, MetricsSettings(timezone=PHOENIX))
    assert list(utc["week"]) == MONDAYS and list(local["week"]) == MONDAYS
    assert dict(zip(utc["week"], utc["merged_prs"]))[date(2024, 3, 4)] == 1
    merged_locally = dict(zip(local["week"], local["merged_prs"]))
    assert (merged_locally[date(2024, 2, 26)], merged_locally[date(2024, 3, 4)]) == (1, 0)
    row = local[local["week"] == date(2024, 2, 26)].iloc[0]
    assert row["cycle_time_p50_hours"] == pytest.approx(3.0)  # first commit 20:30, deployed 23:30
    assert row["group"] == "all"
