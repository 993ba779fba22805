"""Developer experience: the pull-request flow (coding, pickup, review, deploy and cycle time),
size buckets, reviews, throughput, work in progress, bots, and the previous period.

Every expected number is computed by hand in the comment next to it. Window: March 1-29 2024
(4 weeks); the previous period is February 2 - March 1.
"""
from __future__ import annotations

import pytest

from helpers import (
    SINCE,
    UNTIL,
    at,
    authored_commit,
    build_warehouse,
    deployment,
    figure_values,
    flow_pull_request,
    review,
)
from metrics.devex import DEVEX_FIGURES, Scope, devex_figures, devex_table, pull_request_flow
from metrics.settings import MetricsSettings

# p1 ann: commits a1 (day 2 08:00), a2; created 11:00, ready 12:00; reviews bob day 2 15:00 and
#    carl day 3 09:00; merged day 3 12:00 (merge commit m1); deployed by d1 day 4 12:00.
#    coding 4 h, pickup 3 h, review 21 h, deploy 24 h, cycle 52 h; size 30 + 10 = 40 (S); 2 reviews.
# p2 bob: no commit of its own; created day 5 09:00 (never a draft); bob reviews his own pull
#    request at 10:00 (no pickup), dana at 13:00; merged day 6 09:00 as squash m2; deployed d2
#    day 8 09:00. coding 0 h, pickup 4 h, review 20 h, deploy 48 h, cycle 72 h; 300 lines (L).
# p3 carl: commit c3 day 9 18:00; created day 10, ready 06:00; never reviewed; merged day 11;
#    never deployed. coding 12 h, nothing else; 9 lines (XS).
# p4 ann: commit c4 day 11 22:00; created day 12, bob reviews at 02:00 while it is a draft,
#    ready 04:00, merged 10:00; deployed d3 day 13 10:00. coding 6 h, pickup 0 h (reviewed
#    before ready), review 8 h, deploy 24 h, cycle 36 h; 1000 lines (XL).
# p5 ann: created day 14, merged 06:00, size unknown; bob reviews at 08:00, after the merge (not
#    counted: unreviewed). coding 0 h.
# p6 dependabot[bot]: merged day 15, reviewed by bob: left out entirely.
# p7 ann: created day 16, merged 05:00, reviewed only by renovate[bot] (a bot: unreviewed);
#    50 lines (M, the lower edge).
# Open at the end (March 29): p8 (dana, day 20) and p10 (created February 20, merged April 2);
#    p9 was closed unmerged on day 28; p11 is a bot's.
# Previous period: p0 ann, created February 20, reviewed by bob 5 h later, merged February 22
#    (review 19 h), 100 lines; p10 is open at its end (March 1).
EVENTS = [
    deployment("d0", "base", at(1), commits=[]),
    authored_commit("a1", at(2, 8), author="ann", pr="p1"),
    authored_commit("a2", at(2, 10), ["a1"], author="ann", pr="p1"),
    authored_commit("m1", at(3, 12), ["base", "a2"], author="ann"),
    flow_pull_request("p1", "ann", at(2, 11), ready_at=at(2, 12), merged_at=at(3, 12), additions=30,
                      deletions=10, merge_commit_sha="m1"),
    review("r1", "p1", "bob", at(2, 15), "changes_requested"),
    review("r2", "p1", "carl", at(3, 9)),
    deployment("d1", "m1", at(4, 12), commits=["a1", "a2", "m1"]),
    authored_commit("m2", at(6, 9), ["m1"], author="bob"),
    flow_pull_request("p2", "bob", at(5, 9), merged_at=at(6, 9), additions=200, deletions=100, number=2,
                      merge_commit_sha="m2"),
    review("r3", "p2", "bob", at(5, 10), "commented"),
    review("r4", "p2", "dana", at(5, 13)),
    deployment("d2", "m2", at(8, 9), commits=["m2"]),
    authored_commit("c3", at(9, 18), author="carl", pr="p3"),
    flow_pull_request("p3", "carl", at(10), ready_at=at(10, 6), merged_at=at(11), additions=9, deletions=0,
                      number=3),
    authored_commit("c4", at(11, 22), author="ann", pr="p4"),
    flow_pull_request("p4", "ann", at(12), ready_at=at(12, 4), merged_at=at(12, 10), additions=600,
                      deletions=400, number=4),
    review("r5", "p4", "bob", at(12, 2)),
    deployment("d3", "c4", at(13, 10), commits=["c4"]),
    flow_pull_request("p5", "ann", at(14), merged_at=at(14, 6), number=5),
    review("r6", "p5", "bob", at(14, 8)),
    flow_pull_request("p6", "dependabot[bot]", at(15), merged_at=at(15, 2), additions=2, deletions=2, number=6),
    review("r7", "p6", "bob", at(15, 1)),
    flow_pull_request("p7", "ann", at(16), merged_at=at(16, 5), additions=25, deletions=25, number=7),
    review("r8", "p7", "renovate[bot]", at(16, 1)),
    flow_pull_request("p8", "dana", at(20), number=8),
    flow_pull_request("p9", "dana", at(27), closed_at=at(28), number=9),
    flow_pull_request("p10", "eve", at(-8), merged_at=at(33), number=10),
    flow_pull_request("p11", "Renovate[bot]", at(21), number=11),
    flow_pull_request("p0", "ann", at(-8), merged_at=at(-7), additions=60, deletions=40, number=12),
    review("r0", "p0", "bob", at(-8, 5)),
]

SCOPE = Scope(SINCE, UNTIL)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("flow"), EVENTS)


def test_each_pull_request_flow(con):
    rows = {row["id"]: row for row in pull_request_flow(con, SCOPE, "all").to_dict(orient="records")}
    assert list(rows) == ["p1", "p2", "p3", "p4", "p5", "p7"]  # by merge time; p6 is a bot's
    durations = {pr: tuple(row[f"{name}_hours"] for name in ("coding", "pickup", "review", "deploy", "cycle"))
                 for pr, row in rows.items()}
    assert durations == {
        "p1": (4.0, 3.0, 21.0, 24.0, 52.0),
        "p2": (0.0, 4.0, 20.0, 48.0, 72.0),   # the author's own review is no pickup
        "p3": (12.0, None, None, None, None),  # never reviewed, never deployed
        "p4": (6.0, 0.0, 8.0, 24.0, 36.0),     # first review while a draft: pickup 0
        "p5": (0.0, None, None, None, None),   # reviewed only after the merge
        "p7": (0.0, None, None, None, None),   # reviewed only by a bot
    }
    assert rows["p1"]["first_reviewer"] == "bob" and rows["p1"]["reviews"] == 2
    assert rows["p2"]["first_reviewer"] == "dana" and rows["p2"]["reviews"] == 1
    assert rows["p1"]["deployment_id"] == "d1" and rows["p2"]["deployment_id"] == "d2"
    assert {pr: row["size_bucket"] for pr, row in rows.items()} == {
        "p1": "S", "p2": "L", "p3": "XS", "p4": "XL", "p5": None, "p7": "M"}


def test_figures_of_the_window(con):
    row, = devex_figures(con, SCOPE).to_dict(orient="records")
    assert row["group"] == "all"
    assert row["merged_prs"] == 6  # p1, p2, p3, p4, p5, p7
    assert row["throughput_per_week"] == pytest.approx(1.5)  # 6 / 4 weeks
    assert row["open_prs"] == 2  # p8, p10
    # coding 0, 0, 0, 4, 6, 12: p50 (0 + 4) / 2; p75 at 3.75 -> 4 + 0.75 * 2; p90 at 4.5 -> 6 + 0.5 * 6
    assert (row["coding_time_p50_hours"], row["coding_time_p75_hours"], row["coding_time_p90_hours"]) == \
        pytest.approx((2.0, 5.5, 9.0))
    # pickup 0, 3, 4: p75 at 1.5 -> 3.5, p90 at 1.8 -> 3.8
    assert (row["pickup_time_p50_hours"], row["pickup_time_p75_hours"], row["pickup_time_p90_hours"]) == \
        pytest.approx((3.0, 3.5, 3.8))
    assert (row["review_time_p50_hours"], row["review_time_p75_hours"], row["review_time_p90_hours"]) == \
        pytest.approx((20.0, 20.5, 20.8))  # 8, 20, 21
    assert (row["deploy_time_p50_hours"], row["deploy_time_p75_hours"], row["deploy_time_p90_hours"]) == \
        pytest.approx((24.0, 36.0, 43.2))  # 24, 24, 48
    assert (row["cycle_time_p50_hours"], row["cycle_time_p75_hours"], row["cycle_time_p90_hours"]) == \
        pytest.approx((52.0, 62.0, 68.0))  # 36, 52, 72
    assert row["pr_size_p50"] == pytest.approx(50.0)  # 9, 40, 50, 300, 1000 (p5 unknown)
    assert [row[f"pr_size_{b}"] for b in ("xs", "s", "m", "l", "xl")] == [1, 1, 1, 1, 1]
    assert row["reviews_per_pr"] == pytest.approx(4 / 6)  # 2 + 1 + 0 + 1 + 0 + 0
    assert row["unreviewed_prs"] == 3  # p3, p5, p7


def test_against_the_previous_period(con):
    table = devex_table(con, SCOPE)
    assert list(table.columns) == ["group", "figure", "value", "previous", "delta", "percent"]
    assert list(table["figure"]) == DEVEX_FIGURES
    values = figure_values(table)
    previous = figure_values(table, "previous")
    assert previous[("all", "merged_prs")] == 1  # p0
    assert previous[("all", "open_prs")] == 1  # p10 on March 1
    assert previous[("all", "pickup_time_p50_hours")] == pytest.approx(5.0)
    assert previous[("all", "review_time_p50_hours")] == pytest.approx(19.0)
    assert figure_values(table, "delta")[("all", "merged_prs")] == 5
    assert figure_values(table, "percent")[("all", "merged_prs")] == pytest.approx(500.0)  # 5 / 1
    assert figure_values(table, "percent")[("all", "pickup_time_p50_hours")] == pytest.approx(-40.0)  # (3-5)/5
    # unknown before: no delta, no percent
    assert previous[("all", "deploy_time_p50_hours")] is None
    assert figure_values(table, "delta")[("all", "deploy_time_p50_hours")] is None
    assert values[("all", "deploy_time_p50_hours")] == pytest.approx(24.0)
    # a previous value of 0 gives a delta but no percent
    assert previous[("all", "pr_size_xs")] == 0 and values[("all", "pr_size_xs")] == 1
    assert figure_values(table, "delta")[("all", "pr_size_xs")] == 1
    assert figure_values(table, "percent")[("all", "pr_size_xs")] is None


def test_without_bots_configured_their_pull_requests_and_reviews_count(con):
    row, = devex_figures(con, SCOPE, MetricsSettings(bots=())).to_dict(orient="records")
    assert row["merged_prs"] == 7  # p6 too
    assert row["open_prs"] == 3  # p11 too
    assert row["unreviewed_prs"] == 2  # p7 now has renovate's review
    assert row["reviews_per_pr"] == pytest.approx(6 / 7)  # p6: bob, p7: renovate[bot]


def test_bot_names_match_without_case_and_bot_suffix():
    settings = MetricsSettings(bots=("Dependabot", "renovate[bot]"))
    assert settings.bot_names == ["dependabot", "renovate"]
    assert settings.is_bot("dependabot[bot]") and settings.is_bot("DEPENDABOT") and settings.is_bot("Renovate")
    assert not settings.is_bot("dependabot-preview[bot]") and not settings.is_bot("renovator")
    assert not settings.is_bot(None)


def test_a_window_without_pull_requests_has_no_rows(con):
    assert devex_figures(con, Scope(at(-60).date(), at(-40).date())).empty  # January: nothing yet
    # April: nothing merged, but p8 is still open at the end: a row with work in progress only
    row, = devex_figures(con, Scope(at(40).date(), at(50).date())).to_dict(orient="records")
    assert (row["merged_prs"], row["throughput_per_week"], row["open_prs"]) == (0, 0.0, 1)
    assert row["pickup_time_p50_hours"] is None and row["reviews_per_pr"] is None
