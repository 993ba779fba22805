"""Developer experience over two periods at once: devex_table reads the window and the period
before it in one query; each period keeps its own merged, open and new-hire figures.

Window: March 1-29 2024; the previous period is February 2 - March 1 (its end, March 1 00:00,
is `at(1)`).
"""
from __future__ import annotations

import pytest

from helpers import SINCE, UNTIL, at, authored_commit, build_warehouse, figure_values, flow_pull_request
from metrics.devex import Scope, devex_figures, devex_table, figures_for

# q1 ann: created February 27, merged March 3: open at the previous period's end, merged in the window.
# q2 bob: created February 28, closed unmerged March 10: open at the previous period's end only.
# q3 carl: created February 10, merged February 20: merged in the previous period.
# q4 dana: created March 20, still open: open at the window's end.
# New hires (first commit or pull request): ann first committed January 21 (as "Ann": the same
# person), before both periods; bob first committed February 5 (before his pull request) and carl
# opened q3 on February 10: the previous period's; dana committed on March 19 as "Dana": the window's.
EVENTS = [
    authored_commit("a0", at(-39), author="Ann"),
    flow_pull_request("q1", "ann", at(-2), merged_at=at(3), number=1),
    authored_commit("b0", at(-24), author="bob"),
    flow_pull_request("q2", "bob", at(-1), closed_at=at(10), number=2),
    flow_pull_request("q3", "carl", at(-19), merged_at=at(-9), number=3),
    authored_commit("d0", at(19), author="Dana", pr="q4"),
    flow_pull_request("q4", "dana", at(20), number=4),
]

SCOPE = Scope(SINCE, UNTIL)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("periods"), EVENTS)


def test_each_period_counts_its_own_merged_open_and_new_hires(con):
    table = devex_table(con, SCOPE)
    values, previous = figure_values(table), figure_values(table, "previous")
    assert (values[("all", "merged_prs")], values[("all", "open_prs")], values[("all", "new_hires")]) == (1, 1, 1)
    assert (previous[("all", "merged_prs")], previous[("all", "open_prs")], previous[("all", "new_hires")]) == \
        (1, 2, 2)


def test_both_periods_read_together_match_each_read_alone(con):
    table = devex_table(con, SCOPE)
    figures = figures_for("org")
    for column, scope in (("value", SCOPE), ("previous", SCOPE.previous())):
        alone, = devex_figures(con, scope).to_dict(orient="records")
        together = figure_values(table, column)
        assert {figure: together[("all", figure)] for figure in figures} == \
            {figure: alone[figure] for figure in figures}
