"""Monorepos (docs/metrics.md rule 12): a deployment naming no service counts for the services
whose path prefixes the files of its shipped commits touch; pull requests likewise.

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
    dora_row,
    dora_rows,
    flow_pull_request,
    incident,
    service,
    team,
)
from metrics.devex import Scope, devex_figures
from metrics.explain import dora_explain

MONO = "acme/mono"

# Services of acme/mono: billing (team money) services/billing, ledger (money) services/ledger/,
# search (team find) /services/search. Deployments (none names a service unless said):
#   m0 day 1: ships nothing (explicit empty list)       -> unassigned (three services list the repo)
#   m1 day 2: k1 services/billing/api.go, README.md     -> billing
#   m2 day 3: k2 services/billing/x.go, k3 services/search/y.go -> billing and search
#   m3 day 4: k4 services/billingx/z.go (not under services/billing) -> unassigned
#   m4 day 5: k5 services/ledger/a.go + services/billing/b.go -> ledger and billing (both money)
#   m5 day 6: names search; k6 touches services/billing -> search only (its own service wins)
#   m6 day 7: k7 "/services/search" (the prefix itself, leading slash) -> search
# Each commit is authored 2 h before its deployment. Incident i1 names search, starts day 3
# 01:00: the latest search deployment before it is m2 (day 3 00:00), which fails for billing too.
EVENTS = [
    team("money"), team("find"),
    service("billing", team="money", repos=[(MONO, "services/billing")]),
    service("ledger", team="money", repos=[(MONO, "services/ledger/")]),
    service("search", team="find", repos=[(MONO, "/services/search")]),
    deployment("m0", "k0", at(1), repo=MONO, commits=[]),
    authored_commit("k1", at(1, 22), author="ann", repo=MONO, files=["services/billing/api.go", "README.md"]),
    deployment("m1", "k1", at(2), repo=MONO, commits=["k1"]),
    authored_commit("k2", at(2, 22), author="ann", repo=MONO, files=["services/billing/x.go"]),
    authored_commit("k3", at(2, 22), author="ann", repo=MONO, files=["services/search/y.go"]),
    deployment("m2", "k3", at(3), repo=MONO, commits=["k2", "k3"]),
    authored_commit("k4", at(3, 22), author="ann", repo=MONO, files=["services/billingx/z.go"]),
    deployment("m3", "k4", at(4), repo=MONO, commits=["k4"]),
    authored_commit("k5", at(4, 22), author="ann", repo=MONO, files=["services/ledger/a.go", "services/billing/b.go"]),
    deployment("m4", "k5", at(5), repo=MONO, commits=["k5"]),
    authored_commit("k6", at(5, 22), author="ann", repo=MONO, files=["services/billing/c.go"]),
    deployment("m5", "k6", at(6), repo=MONO, commits=["k6"], service="search"),
    authored_commit("k7", at(6, 22), author="ann", repo=MONO, files=["/services/search"]),
    deployment("m6", "k7", at(7), repo=MONO, commits=["k7"]),
    incident("i1", at(3, 1), at(3, 4), service="search"),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("mono"), EVENTS)


def counts(rows) -> dict[str, tuple[int, int]]:
    return {row["group"]: (row["deployments"], row["changes"]) for row in rows}


def test_services_each_deployment_counts_for(con):
    found: dict[str, set[str]] = {}
    for deployment_id, name in con.execute("SELECT deployment_id, service FROM deployment_services").fetchall():
        found.setdefault(deployment_id, set()).add(name)
    assert found == {"m0": {"unassigned"}, "m1": {"billing"}, "m2": {"billing", "search"}, "m3": {"unassigned"},
                     "m4": {"billing", "ledger"}, "m5": {"search"}, "m6": {"search"}}
    single = dict(con.execute("SELECT id, service || '/' || coalesce(team, '-') FROM prod_deployments "
                              "WHERE id IN ('m1', 'm2', 'm4')").fetchall())
    assert single == {"m1": "billing/money", "m2": None, "m4": None}
    assert con.execute("SELECT team FROM prod_deployments WHERE id = 'm4'").fetchone() == ("money",)


def test_by_service_a_deployment_counts_for_each_service_it_touches(con):
    # billing: m1 (k1), m2 (k2, k3), m4 (k5); ledger: m4; search: m2, m5 (k6), m6 (k7)
    assert counts(dora_rows(con, group_by="service")) == {
        "billing": (3, 4), "ledger": (1, 1), "search": (3, 4), "unassigned": (2, 1)}  # m0 ships nothing, m3 k4


def test_by_team_once_per_team_and_org_once(con):
    # money: m1, m2, m4 (m4 touches two money services: once); find: m2, m5, m6
    assert counts(dora_rows(con, group_by="team")) == {"find": (3, 4), "money": (3, 4), "unassigned": (2, 1)}
    assert counts(dora_rows(con)) == {"all": (7, 7)}
    assert counts(dora_rows(con, group_by="repo")) == {MONO: (7, 7)}


def test_an_incident_naming_a_service_fails_the_deployment_counting_for_it(con):
    billing = dora_row(con, group_by="service", group="billing")
    assert billing["failed_deployments"] == 1  # m2, blamed through search
    assert billing["change_failure_rate"] == pytest.approx(1 / 3)
    assert billing["recovery_p50_hours"] == pytest.approx(4.0)  # i1 resolved day 3 04:00
    assert dora_row(con, group_by="service", group="search")["failed_deployments"] == 1
    assert dora_row(con)["failed_deployments"] == 1  # m2 once for the organisation


def test_filters_keep_deployments_counting_for_the_team_or_service(con):
    assert dora_row(con, service="search")["deployments"] == 3  # m2, m5, m6
    assert counts(dora_rows(con, group_by="service", team="money")) == {"billing": (3, 4), "ledger": (1, 1)}


def test_explain_lists_each_services_deployments(con):
    deployments = dora_explain(con, SINCE, UNTIL, "service", "billing")["deployments"]
    assert list(deployments["id"]) == ["m1", "m2", "m4"]
    assert list(deployments["services"]) == ["billing", "billing,search", "billing,ledger"]


def test_pull_requests_count_for_the_services_their_files_touch(tmp_path):
    con = build_warehouse(tmp_path, [
        *EVENTS[:5],
        authored_commit("pa", at(2), author="ann", repo=MONO, pr="PA", files=["services/billing/a.go"]),
        flow_pull_request("PA", "ann", at(2), merged_at=at(3), repo=MONO, number=1),
        authored_commit("pb", at(4), author="ann", repo=MONO, pr="PB", files=["services/billing/b.go"]),
        authored_commit("pb2", at(4), ["pb"], author="ann", repo=MONO, pr="PB", files=["services/search/b.go"]),
        flow_pull_request("PB", "ann", at(4), merged_at=at(5), repo=MONO, number=2),
        flow_pull_request("PC", "ann", at(6), merged_at=at(7), repo=MONO, number=3),  # no files known
    ])
    merged = {r["group"]: r["merged_prs"] for r in devex_figures(con, Scope(SINCE, UNTIL, "service"))
              .to_dict(orient="records")}
    assert merged == {"billing": 2, "search": 1, "unassigned": 1}
    by_team = {r["group"]: r["merged_prs"] for r in devex_figures(con, Scope(SINCE, UNTIL, "team"))
               .to_dict(orient="records")}
    assert by_team == {"find": 1, "money": 2, "unassigned": 1}
    assert devex_figures(con, Scope(SINCE, UNTIL)).loc[0, "merged_prs"] == 3
