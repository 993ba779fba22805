"""CI figures per repository and workflow: success rate, durations, re-run rate, bots left out.

Every expected number is computed by hand in the comment next to it. Window: March 1-29 2024.
"""
from __future__ import annotations

import pytest

from helpers import SINCE, UNTIL, at, authored_commit, build_warehouse, ci_run, service, team
from metrics.devex import CI_FIGURES, Scope, ci_table
from metrics.explain import devex_explain

# acme/app, workflow ci, in the window:
#   r1 success 10 min; r2 success 20 min, attempt 2 (a re-run); r3 failure 5 min;
#   r4 cancelled (no verdict); r5 in_progress, unfinished (no verdict); r6 SUCCESS 40 min;
#   r7 success on a commit by dependabot[bot]: left out.
#   -> runs 6, success rate 3 / 4 (r1, r2, r6 of r1, r2, r3, r6), durations of the successes
#      10, 20, 40 (p50 20, p75 30, p90 36), re-run rate 1 / 6.
# acme/app, workflow deploy: r9 failure, attempt 3 -> runs 1, success rate 0, re-run rate 1.
# Previous period: r8 ci success 30 min.
# acme/other (no service lists it): o1 success 1 min.
# acme/app is listed by two services of team core: each run counts for both in --by service,
# once for core in --by team.
EVENTS = [
    team("core"),
    service("api", team="core", repos=["acme/app"]),
    service("worker", team="core", repos=["acme/app"]),
    authored_commit("bump", at(1), author="dependabot[bot]"),
    ci_run("r1", at(2), 10),
    ci_run("r2", at(3), 20, attempt=2),
    ci_run("r3", at(4), 5, "failure"),
    ci_run("r4", at(5), 2, "cancelled"),
    ci_run("r5", at(6), None, "in_progress"),
    ci_run("r6", at(7), 40, "SUCCESS", attempt=1),
    ci_run("r7", at(8), 99, sha="bump"),
    ci_run("r8", at(-3), 30),
    ci_run("r9", at(9), 3, "failure", attempt=3, workflow="deploy"),
    ci_run("o1", at(10), 1, repo="acme/other"),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("ci"), EVENTS)


def figures(frame, column="value") -> dict[tuple[str, str, str, str], object]:
    return {(r["group"], r["repo"], r["workflow"], r["figure"]): r[column] for r in frame.to_dict(orient="records")}


def test_ci_figures_per_repo_and_workflow(con):
    table = ci_table(con, Scope(SINCE, UNTIL))
    assert list(table.columns) == ["group", "repo", "workflow", "figure", "value", "previous", "delta", "percent"]
    values = figures(table)
    ci = {figure: values[("all", "acme/app", "ci", figure)] for figure in CI_FIGURES}
    assert ci == pytest.approx({"runs": 6, "success_rate": 0.75, "duration_p50_minutes": 20.0,
                                "duration_p75_minutes": 30.0, "duration_p90_minutes": 36.0, "rerun_rate": 1 / 6})
    deploy = {figure: values[("all", "acme/app", "deploy", figure)] for figure in CI_FIGURES}
    assert deploy == {"runs": 1, "success_rate": 0.0, "duration_p50_minutes": None, "duration_p75_minutes": None,
                      "duration_p90_minutes": None, "rerun_rate": 1.0}
    assert values[("all", "acme/other", "ci", "runs")] == 1


def test_ci_against_the_previous_period(con):
    table = ci_table(con, Scope(SINCE, UNTIL))
    previous = figures(table, "previous")
    assert previous[("all", "acme/app", "ci", "runs")] == 1  # r8
    assert previous[("all", "acme/app", "ci", "duration_p50_minutes")] == pytest.approx(30.0)
    assert figures(table, "delta")[("all", "acme/app", "ci", "runs")] == 5
    assert figures(table, "percent")[("all", "acme/app", "ci", "success_rate")] == pytest.approx(-25.0)  # 0.75 vs 1
    assert previous[("all", "acme/app", "deploy", "runs")] is None  # no deploy run before


def test_ci_groups(con):
    by_service = figures(ci_table(con, Scope(SINCE, UNTIL, "service")))
    assert {(g, repo, wf) for g, repo, wf, figure in by_service if figure == "runs"} == {
        ("api", "acme/app", "ci"), ("api", "acme/app", "deploy"), ("worker", "acme/app", "ci"),
        ("worker", "acme/app", "deploy"), ("unassigned", "acme/other", "ci")}
    by_team = figures(ci_table(con, Scope(SINCE, UNTIL, "team")))
    assert by_team[("core", "acme/app", "ci", "runs")] == 6  # once, though two services list the repo


def test_ci_runs_behind_a_group(con):
    runs = devex_explain(con, Scope(SINCE, UNTIL, "repo"), "acme/app")["ci_runs"]
    assert list(runs["id"]) == ["r1", "r2", "r3", "r4", "r5", "r6", "r9"]  # r7 is a bot's, r8 earlier
    assert list(runs["minutes"])[:3] == pytest.approx([10.0, 20.0, 5.0])
