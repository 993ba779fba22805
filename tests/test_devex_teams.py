"""Developer experience across teams: waits on other teams (cross-team first reviews) and new
hires' time to first deploy, with team membership from pitwall.toml and the catalog.

Every expected number is computed by hand in the comment next to it. Window: March 1-29 2024.
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
    flow_pull_request,
    review,
)
from metrics.devex import Scope, devex_figures, new_hire_people, new_hires_table
from metrics.settings import MetricsSettings

SCOPE = Scope(SINCE, UNTIL)

# pitwall.toml: payments = ann, bob; search = carl. The catalog (people table): bob in search
# (the configuration wins), dana in search.
SETTINGS = MetricsSettings(teams={"payments": ("ann", "bob"), "search": ("carl",)})
CATALOG_PEOPLE = [("catalog", "bob", "Bob", None, "search"), ("catalog", "Dana", "Dana", None, "search")]


def add_catalog_people(con, rows) -> None:
    """People as the catalog import stores them (source "catalog")."""
    con.executemany("INSERT INTO people (source, id, name, email, team) VALUES (?, ?, ?, ?, ?)", rows)


def reviewed(id: str, author: str, day: int, pickup_hours: int, *reviewers: str) -> list[dict]:
    """A pull request ready at `day` 00:00, reviewed `pickup_hours` later by the first reviewer
    (the others an hour apart), merged at `day` 20:00."""
    events = [flow_pull_request(id, author, at(day), merged_at=at(day, 20), number=day)]
    for index, reviewer in enumerate(reviewers):
        events.append(review(f"{id}-r{index}", id, reviewer, at(day, pickup_hours + index)))
    return events


# q1 ann -> bob: same team (payments; the catalog's "search" for bob loses), pickup 2 h
# q2 ann -> carl: cross (payments / search), pickup 10 h
# q3 carl -> dana: same (search; dana from the catalog), pickup 4 h
# q4 Bob -> DANA: cross, names compared without case, pickup 6 h
# q5 eve -> ann: eve has no team: left out of the share
# q6 ann reviews her own pull request first (hour 1), then bob (hour 8): same, pickup 8 h
CROSS_TEAM_EVENTS = [
    *reviewed("q1", "ann", 2, 2, "bob"),
    *reviewed("q2", "ann", 3, 10, "carl", "bob"),
    *reviewed("q3", "carl", 4, 4, "dana"),
    *reviewed("q4", "Bob", 5, 6, "DANA"),
    *reviewed("q5", "eve", 6, 3, "ann"),
    *reviewed("q6", "ann", 7, 1, "ann"),
    review("q6-bob", "q6", "bob", at(7, 8)),
]


@pytest.fixture(scope="module")
def cross_con(tmp_path_factory):
    con = build_warehouse(tmp_path_factory.mktemp("cross"), CROSS_TEAM_EVENTS)
    add_catalog_people(con, CATALOG_PEOPLE)
    return con


def test_cross_team_share_and_pickups(cross_con):
    row, = devex_figures(cross_con, SCOPE, SETTINGS).to_dict(orient="records")
    assert row["cross_team_prs"] == 2  # q2, q4
    assert row["cross_team_share"] == pytest.approx(0.4)  # 2 of q1, q2, q3, q4, q6
    # cross-team pickups 6, 10; same-team pickups 2, 4, 8 (q6: ann's own review is not the pickup)
    assert [row[f"cross_team_pickup_{p}_hours"] for p in ("p50", "p75", "p90")] == pytest.approx([8.0, 9.0, 9.6])
    assert [row[f"same_team_pickup_{p}_hours"] for p in ("p50", "p75", "p90")] == pytest.approx([4.0, 6.0, 7.2])


def test_the_catalog_alone_decides_without_configured_teams(cross_con):
    row, = devex_figures(cross_con, SCOPE, MetricsSettings()).to_dict(orient="records")
    # Only bob and dana have a team now (both search): q4 is the one pull request with both known.
    assert (row["cross_team_prs"], row["cross_team_share"]) == (0, 0.0)
    assert row["same_team_pickup_p50_hours"] == pytest.approx(6.0)


def test_teams_of_the_flow_rows(cross_con):
    from metrics.devex import pull_request_flow
    rows = {r["id"]: (r["author_team"], r["reviewer_team"], r["cross_team"])
            for r in pull_request_flow(cross_con, SCOPE, "all", SETTINGS).to_dict(orient="records")}
    assert rows == {"q1": ("payments", "payments", False), "q2": ("payments", "search", True),
                    "q3": ("search", "search", False), "q4": ("payments", "search", True),
                    "q5": (None, "payments", None), "q6": ("payments", "payments", False)}


def test_refresh_writes_the_configured_people(tmp_path):
    con = build_warehouse(tmp_path, CROSS_TEAM_EVENTS, SETTINGS)
    assert con.execute("SELECT source, id, team FROM people ORDER BY id").fetchall() == [
        ("config", "ann", "payments"), ("config", "bob", "payments"), ("config", "carl", "search")]


# New hires (time zone America/Phoenix, UTC-7 all year):
# ann: first seen January 31 (before the window): no new hire.
# frank (payments): first commit 2024-03-01 03:00 UTC = February 29 20:00 in Phoenix; deployed
#    day 3 03:00: 48 h; joins in 2024-02 locally (2024-03 in UTC).
# gina (search): first seen with pull request g1 (day 10), her merge commit gm comes on day 11;
#    g1 deployed day 12 12:00: 60 h.
# hugo (search, from the catalog with his e-mail address): a lone commit authored as
#    hugo@acme.test on day 20, deployed day 22: 48 h; his pull request (day 21) is later.
# ivan (no team): first seen day 25, nothing deployed yet.
# renovate[bot]: a bot, never a new hire.
NEW_HIRE_EVENTS = [
    authored_commit("old", at(-30), author="ann"),
    authored_commit("fc1", "2024-03-01T03:00:00Z", author="frank", pr="f1"),
    flow_pull_request("f1", "frank", at(2), merged_at=at(2, 6), number=1),
    deployment("df", "fc1", at(3, 3), commits=["fc1"]),
    flow_pull_request("g1", "gina", at(10), merged_at=at(11), number=2, merge_commit_sha="gm"),
    authored_commit("gm", at(11), ["fc1"], author="gina"),
    deployment("dg", "gm", at(12, 12), commits=["gm"]),
    authored_commit("hc", at(20), ["gm"], author="hugo@acme.test"),
    flow_pull_request("h1", "hugo", at(21), number=3),
    deployment("dh", "hc", at(22), commits=["hc"]),
    authored_commit("ic", at(25), ["hc"], author="ivan"),
    authored_commit("bot", at(5), ["fc1"], author="renovate[bot]"),
]
HIRE_SETTINGS = MetricsSettings(teams={"payments": ("frank",), "search": ("gina",)}, timezone="America/Phoenix")


@pytest.fixture(scope="module")
def hires_con(tmp_path_factory):
    con = build_warehouse(tmp_path_factory.mktemp("hires"), NEW_HIRE_EVENTS)
    add_catalog_people(con, [("catalog", "hugo", "Hugo", "Hugo@Acme.test", "search")])
    return con


def test_new_hires_and_their_first_deploy(hires_con):
    people = new_hire_people(hires_con, SCOPE, "all", HIRE_SETTINGS)
    assert [(r["person"], r["team"], r["month"], r["first_deployment"], r["first_deploy_hours"])
            for r in people.to_dict(orient="records")] == [
        ("frank", "payments", "2024-02", "df", 48.0),
        ("gina", "search", "2024-03", "dg", 60.0),
        ("hugo", "search", "2024-03", "dh", 48.0),
        ("ivan", "unassigned", "2024-03", None, None),
    ]


def test_new_hire_figures_of_the_org(hires_con):
    row, = devex_figures(hires_con, SCOPE, HIRE_SETTINGS).to_dict(orient="records")
    assert row["new_hires"] == 4
    # first deploys 48, 48, 60 h (ivan has none yet): p75 at 1.5 -> 54, p90 at 1.8 -> 57.6
    assert [row[f"new_hire_first_deploy_{p}_hours"] for p in ("p50", "p75", "p90")] == \
        pytest.approx([48.0, 54.0, 57.6])


def test_new_hires_per_team_and_month_of_joining(hires_con):
    rows = new_hires_table(hires_con, SCOPE, HIRE_SETTINGS).to_dict(orient="records")
    assert [(r["team"], r["month"], r["new_hires"], r["deployed"]) for r in rows] == [
        ("payments", "2024-02", 1, 1), ("search", "2024-03", 2, 2), ("unassigned", "2024-03", 1, 0)]
    search = rows[1]
    assert (search["first_deploy_p50_hours"], search["first_deploy_p75_hours"], search["first_deploy_p90_hours"]) \
        == pytest.approx((54.0, 57.0, 58.8))  # 48, 60
    assert rows[2]["first_deploy_p50_hours"] is None
    # In UTC frank joins in March.
    utc = new_hires_table(hires_con, SCOPE, HIRE_SETTINGS.model_copy(update={"timezone": "UTC"}))
    assert list(utc["month"]) == ["2024-03", "2024-03", "2024-03"]


def test_new_hire_figures_by_team(hires_con):
    rows = {r["group"]: r for r in devex_figures(hires_con, Scope(SINCE, UNTIL, "team"), HIRE_SETTINGS)
            .to_dict(orient="records")}
    # Pull requests count for the owning service's team (none here: "unassigned"); new hires
    # for their own team.
    assert {group: row["new_hires"] for group, row in rows.items()} == {"payments": 1, "search": 2, "unassigned": 1}
    assert rows["search"]["new_hire_first_deploy_p50_hours"] == pytest.approx(54.0)
    assert rows["unassigned"]["merged_prs"] == 2  # f1, g1
