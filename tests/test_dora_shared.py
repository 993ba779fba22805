"""The DORA figures of several groupings and of the previous period in one query
(metrics.dora.dora_figures), and the span's reads shared between queries (shared_span): the
same figures as one dora_table, weekly_series or data_health call each.

Data: the monorepo of test_devex_monorepo (window March 1-29 2024, 28 days) plus two deployments
in the previous 28 days (February 2-29):
  p1 day -10 (Feb 20): names ledger, ships nothing           -> ledger / money
  p2 day -5  (Feb 24): k8 touches services/billing and services/search (authored 2 h before)
                                                             -> billing and search (two teams)
Every expected count is computed by hand in the comment next to it.
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from test_devex_monorepo import EVENTS, MONO

from helpers import SINCE, UNTIL, at, authored_commit, build_warehouse, deployment
from metrics.dora import Periods, dora_figures, dora_frame, dora_table, shared_span, weekly_series
from metrics.health import data_health
from metrics.window import Window

PREVIOUS = [
    deployment("p1", "k0", at(-10), repo=MONO, commits=[], service="ledger"),
    authored_commit("k8", at(-5) - timedelta(hours=2), author="ann", repo=MONO,
                    files=["services/billing/d.go", "services/search/e.go"]),
    deployment("p2", "k8", at(-5), repo=MONO, commits=["k8"]),
]
BOTH = Periods(Window(SINCE, UNTIL), previous=True)
BEFORE = Window(SINCE, UNTIL).previous()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("shared"), [*EVENTS, *PREVIOUS])


def counts(figures, period: str, group_by: str) -> dict[str, tuple[int, int]]:
    """(deployments, changes) per group of one period and grouping of dora_figures."""
    rows = figures[(figures["period"] == period) & (figures["group_by"] == group_by)]
    return {row["group"]: (row["deployments"], row["changes"]) for row in rows.to_dict("records")}


def test_one_query_gives_every_period_and_grouping(con):
    figures = dora_figures(con, BOTH, ["org", "team", "service"])
    # The window, as test_devex_monorepo: 7 deployments and 7 changes (m0 and m3 unassigned).
    assert counts(figures, "current", "org") == {"all": (7, 7)}
    assert counts(figures, "current", "team") == {"find": (3, 4), "money": (3, 4), "unassigned": (2, 1)}
    assert counts(figures, "current", "service") == {
        "billing": (3, 4), "ledger": (1, 1), "search": (3, 4), "unassigned": (2, 1)}
    # The previous period: p1 (no change) and p2 (k8, counted once for the organisation).
    assert counts(figures, "previous", "org") == {"all": (2, 1)}
    assert counts(figures, "previous", "team") == {"find": (1, 1), "money": (2, 1)}
    assert counts(figures, "previous", "service") == {"billing": (1, 1), "ledger": (1, 0), "search": (1, 1)}
    previous = figures[(figures["period"] == "previous") & (figures["group"] == "all")].iloc[0]
    assert previous["deploys_per_week"] == pytest.approx(0.5)   # 2 in 4 weeks
    assert previous["lead_time_p50_hours"] == pytest.approx(2.0)


@pytest.mark.parametrize("group_by", ["org", "team", "service", "repo"])
@pytest.mark.parametrize("scope", [{}, {"team": "money"}, {"service": "search"}])
def test_each_period_and_grouping_is_the_dora_table_of_its_window(con, group_by, scope):
    figures = dora_figures(con, BOTH, ["org", "team", "service", "repo"], **scope)
    for period, window in (("current", Window(SINCE, UNTIL)), ("previous", BEFORE)):
        for all_groups in (False, True):
            expected = dora_table(con, window.since, window.until, group_by, "2024", all_groups=all_groups, **scope)
            got = dora_frame(con, figures, period, group_by, "2024", all_groups=all_groups)
            assert got.to_dict("records") == expected.to_dict("records")


@pytest.mark.parametrize("scope", [{}, {"team": "find"}, {"service": "billing"}])
def test_a_shared_span_gives_the_same_figures(con, scope):
    window = {"since": SINCE, "until": UNTIL}
    alone = (dora_figures(con, BOTH, ["org", "team", "service"], **scope),
             weekly_series(con, **window, tz="Europe/Paris", **scope), data_health(con, **window, **scope))
    with shared_span(con, BOTH) as shared:
        together = (dora_figures(con, BOTH, ["org", "team", "service"], **scope, shared=shared),
                    weekly_series(con, **window, tz="Europe/Paris", **scope, shared=shared),
                    data_health(con, **window, **scope, shared=shared))
    pd.testing.assert_frame_equal(together[0], alone[0])
    pd.testing.assert_frame_equal(together[1], alone[1])
    assert together[2] == alone[2]
    assert alone[0]["deployments"].sum() > 0   # hand-counted above: the figures are not empty


def test_a_shared_span_refuses_a_window_it_does_not_hold(con):
    with shared_span(con, Periods(Window(SINCE, UNTIL))) as shared:
        with pytest.raises(ValueError, match="outside the shared span"):
            weekly_series(con, BEFORE.since, BEFORE.until, shared=shared)
        with pytest.raises(ValueError, match="outside the shared span"):
            dora_figures(con, BOTH, ["org"], shared=shared)


def test_a_shared_span_leaves_no_table_behind(con):
    with shared_span(con, BOTH):
        pass
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone() == (0,)
