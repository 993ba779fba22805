"""Facts collected from a real warehouse: catalog, repository, DORA, CI and incident facts per
service, hand-computed; the registry's extension point; several scorecards at once."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from textwrap import dedent

import pytest

from helpers import ROOT, at, build_warehouse, commit, component, deployment, incident, pipeline_run, write_catalog
from ingest.catalog import import_catalog
from ingest.repo_facts import store_repo_facts
from metrics.derive import derive
from scorecards.evaluate import evaluate
from scorecards.facts import DEFAULT_REGISTRY, Fact, FactContext, FactProvider, FactRegistry, catalog_services
from scorecards.model import OPERATORS
from scorecards.spec import parse_spec

# The evaluation day: the 90 days are 2023-12-30 .. 2024-03-28, `until` 2024-03-29 00:00 UTC.
DAY = date(2024, 3, 28)
WEEKS = 90 / 7
ALL = ("readme", "codeowners", "ci_workflow", "dockerfile", "docs_folder")

CATALOG = [
    component("api", owner="group:default/core", title="API", description="The API", tags=["go", "tier-1"],
              annotations={"github.com/project-slug": "acme/api", "pagerduty.com/service-id": "PAPI001",
                           "backstage.io/techdocs-ref": "dir:.",
                           "backstage.io/source-template": "template:default/go-service"}),
    component("web", type="website", owner="core",
              annotations={"github.com/project-slug": "acme/web",
                           "backstage.io/source-location": "url:https://github.com/acme/web-assets/tree/main/"}),
    component("lone", owner=None),
]

EVENTS = [
    # api: two deployments in the window, lead times 24 h and 12 h; d1 fails (i1, resolved 7 h later)
    commit("k1", at(1), repo="acme/api"),
    deployment("d1", "k1", at(2), repo="acme/api", commits=["k1"]),
    commit("k2", at(9, 12), ["k1"], repo="acme/api"),
    deployment("d2", "k2", at(10), repo="acme/api", commits=["k2"]),
    incident("i1", at(2, 1), at(2, 7), caused_by_deployment="d1"),
    incident("i2", at(20), service="PAPI001"),                          # open, named by PagerDuty id
    incident("i3", at(-120), at(-119), repo="acme/api"),                # before the 90 days
    incident("i4", at(27), at(29, 1), repo="acme/web-assets"),          # open at the end of the day
    incident("i5", at(30), service="web"),                              # after the evaluation day
    # CI: api 3 successes, 1 failure, 1 cancelled (left out), 1 failure before the window
    pipeline_run("r1", at(3), repo="acme/api"),
    pipeline_run("r2", at(4), repo="acme/api"),
    pipeline_run("r3", at(5), "SUCCESS", repo="acme/api"),
    pipeline_run("r4", at(6), "failure", repo="acme/api"),
    pipeline_run("r5", at(7), "cancelled", repo="acme/api"),
    pipeline_run("r6", at(-100), "failure", repo="acme/api"),
    # web: one success in acme/web, one GitLab-style "failed" in acme/web-assets
    pipeline_run("w1", at(3), repo="acme/web"),
    pipeline_run("w2", at(3), "failed", repo="acme/web-assets"),
    # developer experience: one pull request of acme/api, reviewed 3 h after it was opened
    {"type": "pull_request", "id": "acme/api#1", "repo": "acme/api", "number": 1, "author": "dev",
     "created_at": at(5).isoformat(), "merged_at": at(6).isoformat(), "additions": 30, "deletions": 10},
    {"type": "review", "id": "acme/api#1/1", "pull_request": "acme/api#1", "reviewer": "rev", "state": "approved",
     "submitted_at": at(5, 3).isoformat()},
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("facts")
    connection = build_warehouse(folder, EVENTS)
    import_catalog(connection, [write_catalog(folder / "catalog-info.yaml", *CATALOG)])
    derive(connection)  # deployments map to the catalog's services through their repos
    older, newer = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 2, tzinfo=UTC)
    store_repo_facts(connection, "acme/api", "github", dict.fromkeys(ALL, False), listed_at=older)
    store_repo_facts(connection, "acme/api", "git", {"readme": True, "ci_workflow": True, "dockerfile": True,
                                                     "codeowners": False, "docs_folder": False}, listed_at=newer)
    store_repo_facts(connection, "acme/web", "github", {**dict.fromkeys(ALL, True), "codeowners": False})
    store_repo_facts(connection, "acme/web-assets", "github", None)  # the listing was refused
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def facts(con) -> dict[str, dict]:
    return DEFAULT_REGISTRY.collect(con, catalog_services(con), FactContext(DAY))


def test_catalog_facts(facts) -> None:
    api = {name: facts["api"][name] for name in ("owner", "team", "lifecycle", "system", "type", "description",
                                                  "tags", "has_docs", "template", "repos")}
    assert api == {"owner": "core", "team": "core", "lifecycle": "production", "system": None, "type": "service",
                   "description": "The API", "tags": ["go", "tier-1"], "has_docs": True, "template": "go-service",
                   "repos": ["acme/api"]}
    assert facts["api"]["annotations.pagerduty.com/service-id"] == "PAPI001"
    assert (facts["web"]["type"], facts["web"]["repos"], facts["web"]["has_docs"]) == (
        "website", ["acme/web", "acme/web-assets"], False)
    assert (facts["lone"]["owner"], facts["lone"]["team"], facts["lone"]["tags"], facts["lone"]["repos"]) == (
        None, None, [], [])


def test_repository_facts_take_the_latest_listing_and_combine_repositories_three_valued(facts) -> None:
    repo = {service: {name: facts[service][f"repo.{name}"] for name in ALL} for service in facts}
    # acme/api: the newer listing (git) wins over the older (github)
    assert repo["api"] == {"readme": True, "codeowners": False, "ci_workflow": True, "dockerfile": True,
                           "docs_folder": False}
    # web: acme/web known, acme/web-assets refused: a known false wins, otherwise unknown
    assert repo["web"] == {"readme": None, "codeowners": False, "ci_workflow": None, "dockerfile": None,
                           "docs_folder": None}
    assert repo["lone"] == dict.fromkeys(ALL)  # no repository: unknown


def test_dora_facts_over_the_90_days_ending_on_the_evaluation_day(facts) -> None:
    api = {name.removeprefix("dora."): value for name, value in facts["api"].items() if name.startswith("dora.")}
    assert api == {
        "deployments": 2, "deploys_per_week": pytest.approx(2 / WEEKS), "changes": 2,
        "lead_time_p50_hours": 18.0,                      # 24 h and 12 h
        "lead_time_p90_hours": pytest.approx(12 + 0.9 * 12),
        "failed_deployments": 1, "change_failure_rate": 0.5,
        "recovery_p50_hours": 7.0,                        # i1 resolved 7 h after d1
        "rework_deployments": 0, "rework_rate": 0.0,      # i1 was resolved before d2 went out
        "deploy_frequency_tier": "low", "lead_time_tier": "elite", "change_failure_tier": "low",
        "recovery_tier": "high", "tier": "low",
    }


def test_a_service_without_deployments_has_zero_deployments_and_unknown_figures(facts) -> None:
    web = {name: facts["web"][name] for name in ("dora.deployments", "dora.deploys_per_week",
                                                   "dora.lead_time_p50_hours", "dora.change_failure_rate",
                                                   "dora.tier")}
    assert web == {"dora.deployments": 0, "dora.deploys_per_week": 0.0, "dora.lead_time_p50_hours": None,
                   "dora.change_failure_rate": None, "dora.tier": "low"}


def test_ci_facts(facts) -> None:
    assert (facts["api"]["ci.runs"], facts["api"]["ci.success_rate"]) == (4, 0.75)
    assert (facts["web"]["ci.runs"], facts["web"]["ci.success_rate"]) == (2, 0.5)
    assert (facts["lone"]["ci.runs"], facts["lone"]["ci.success_rate"]) == (0, None)


def test_incident_facts(facts) -> None:
    counts = {s: (facts[s]["incidents.open"], facts[s]["incidents.last_90_days"]) for s in ("api", "web", "lone")}
    # api: i1 (attributed to d1) and i2 (its PagerDuty id) in the 90 days, i2 still open; i3 too old
    # web: i4 through its second repository, open at the end of the day; i5 starts after it
    assert counts == {"api": (1, 2), "web": (1, 1), "lone": (0, 0)}


def test_developer_experience_facts(facts) -> None:
    names = ("merged_prs", "throughput_per_week", "pickup_time_p50_hours", "review_time_p50_hours", "pr_size_p50",
             "reviews_per_pr")
    api = {name: facts["api"][f"devex.{name}"] for name in names}
    assert api == {"merged_prs": 1, "throughput_per_week": 1 / WEEKS, "pickup_time_p50_hours": 3.0,
                   "review_time_p50_hours": 21.0, "pr_size_p50": 40.0, "reviews_per_pr": 1.0}
    web = {name: facts["web"][f"devex.{name}"] for name in ("merged_prs", "throughput_per_week", "open_prs",
                                                             "pickup_time_p50_hours")}
    assert web == {"merged_prs": 0, "throughput_per_week": 0, "open_prs": 0, "pickup_time_p50_hours": None}


# --- the registry and evaluating several scorecards at once ---------------------------------

def test_a_provider_adds_facts_and_only_providers_a_spec_needs_run(con) -> None:
    calls: list[str] = []

    def collect(connection, services, context):
        calls.append(context.today.isoformat())
        return {service.id: {"devex.pickup_p50_hours": 3.5} for service in services}

    devex = FactProvider("devex", (Fact("devex.pickup_p50_hours", "number", "Review pickup."),), collect)
    registry = FactRegistry([*DEFAULT_REGISTRY.providers, devex])
    assert registry.lookup("devex.pickup_p50_hours") == devex.facts[0]
    services = catalog_services(con)
    assert registry.collect(con, services, FactContext(DAY), {"owner"})["api"].get("devex.pickup_p50_hours") is None
    assert calls == []
    values = registry.collect(con, services, FactContext(DAY), {"devex.pickup_p50_hours"})
    assert (values["api"]["devex.pickup_p50_hours"], calls) == (3.5, ["2024-03-28"])


def spec(text: str):
    card, problems = parse_spec(dedent(text).lstrip("\n"), "x.yaml", DEFAULT_REGISTRY)
    assert problems == []
    return card


def test_several_scorecards_are_evaluated_at_once_over_the_catalog(con, tmp_path: Path) -> None:
    ready = spec("""
        id: ready
        applies_to: {kind: service, lifecycle: [production]}
        levels: [Bronze, Silver]
        rules:
          - {id: owned, level: Bronze, check: {fact: owner, op: exists}}
          - {id: paged, level: Silver, check: {fact: incidents.open, op: "==", value: 0}}
        exemptions:
          - {service: gone, rule: owned, reason: Left, expires: 2030-01-01}
        """)
    fast = spec("""
        id: fast
        applies_to: {kind: service, type: [service]}
        levels: [High]
        rules:
          - {id: weekly, level: High, check: {fact: dora.deploys_per_week, op: ">=", value: 1}}
        """)
    evaluation = evaluate(con, [ready, fast], DAY)
    assert [(r.scorecard, r.service, r.team, r.level, r.score) for r in evaluation.results] == [
        ("ready", "api", "core", "Bronze", 0.5),
        ("ready", "lone", None, "none", 0.5),     # no owner, no open incident
        ("ready", "web", "core", "Bronze", 0.5),
        ("fast", "api", "core", "none", 0.0),
        ("fast", "lone", None, "none", 0.0),
    ]
    # an exemption for a service the catalog does not have is reported, not refused
    assert evaluation.warnings == ("x.yaml:8: exemption for 'gone' (rule 'owned'): no such service in the catalog",)


def test_every_fact_and_operator_is_documented() -> None:
    text = (ROOT / "docs" / "scorecards.md").read_text(encoding="utf-8")
    assert [f.name for f in DEFAULT_REGISTRY.facts() if f"`{f.name}`" not in text] == []
    assert [op for op in OPERATORS if f"`{op}`" not in text] == []
