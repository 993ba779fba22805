"""The sample catalog and scorecards (data-samples/), and `pitwall demo` evaluating them."""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ingest.catalog import is_service, read_catalog
from ingest.repo_facts import tree_facts
from pitwall.commands.demo import SAMPLES, load_demo
from pitwall.context import AppContext
from sampleorg.config import load_config
from sampleorg.people import build_staff
from sampleorg.repo_trees import repo_trees
from scorecards.facts import DEFAULT_REGISTRY
from scorecards.golden_paths import golden_paths
from scorecards.model import OPERATORS, AllOf, AnyOf, Condition, Not
from scorecards.spec import load_specs, read_spec_files
from warehouse import connect

ANCHOR = date(2026, 6, 30)
SPECS = sorted((SAMPLES / "scorecards").glob("*.yaml"))


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(AppContext(db=path), ANCHOR)
    return path


@pytest.fixture
def con(db):
    connection = connect(db, read_only=True)
    yield connection
    connection.close()


def levels(con, scorecard: str) -> dict[str, str]:
    return dict(con.execute("SELECT service, level FROM scorecard_results WHERE scorecard = ? AND evaluated_on = ?",
                            [scorecard, ANCHOR]).fetchall())


def rule(con, scorecard: str, service: str, rule_id: str) -> tuple[str, str]:
    return con.execute("SELECT status, reason FROM scorecard_rule_results WHERE scorecard = ? AND service = ? "
                       "AND rule = ?", [scorecard, service, rule_id]).fetchone()


# --- the sample data ---------------------------------------------------------------------------

def test_the_sample_catalog_describes_the_sample_organisation() -> None:
    config = load_config()
    entities = read_catalog([SAMPLES / "catalog"]).entities
    services = {e.name: e for e in entities if is_service(e)}
    assert set(services) == {s.id for s in config.services}
    # every service is owned by its configured team, except the deliberately ownerless one
    owners = {s.id: s.team for s in config.services}
    users = {e.name: e.member_of[0].name for e in entities if e.kind == "User"}
    team_of = {name: (users[e.owner.name] if e.owner and e.owner.kind == "user" else e.owner and e.owner.name)
               for name, e in services.items()}
    assert {name for name in services if team_of[name] != owners[name]} == {"data-export"}
    assert {e.name for e in entities if e.kind == "Group" and e.type == "team"} == {t.id for t in config.teams}
    people = {p.login: p.team for p in build_staff(config, ANCHOR).people}
    assert users == people
    assert {name: e.lifecycle for name, e in services.items() if e.lifecycle != "production"} == {
        s.id: s.lifecycle for s in config.services if s.lifecycle != "production"}
    assert {name for name, e in services.items() if not e.has_docs} >= {"tax-calculator", "data-export"}
    assert Counter(e.template.name for e in services.values() if e.template) == {
        "go-service": 11, "python-service": 7, "java-service-v1": 3, "node-website": 2}


def test_sample_repository_trees_follow_the_profiles_and_monorepo_paths() -> None:
    config = load_config()
    trees = repo_trees(config)
    assert trees == repo_trees(config)  # the seed alone decides
    assert len(trees) == 60 and trees["acme/legacy-ldap-sync"] is None
    assert {"services/web/Dockerfile", "services/api/Dockerfile"} <= set(trees["acme/checkout"])

    def share(tier: str) -> float:
        repos = [s.repos[0].repo for s in config.services if s.profile.expected_tier == tier]
        facts = [tree_facts(trees[r]) for r in repos if trees[r] is not None]
        return sum(sum(f.values()) for f in facts) / (5 * len(facts))

    assert share("elite") > share("high") > share("medium") > share("low")


def _parts(check):
    yield check
    children = [check.check] if isinstance(check, Not) else list(getattr(check, "checks", []))
    for child in children:
        yield from _parts(child)


def test_the_three_sample_scorecards_use_every_operator_and_combinator_and_exemptions() -> None:
    cards = load_specs(read_spec_files(SPECS), DEFAULT_REGISTRY)
    assert [c.id for c in cards] == ["dora-performance", "golden-path-adoption", "production-readiness"]
    checks = [part for card in cards for r in card.rules for part in _parts(r.check)]
    assert {c.op for c in checks if isinstance(c, Condition)} == set(OPERATORS)
    assert {type(c) for c in checks} == {Condition, AllOf, AnyOf, Not}
    exemptions = [e for card in cards for e in card.exemptions]
    assert any(e.holds_on(ANCHOR) for e in exemptions) and any(not e.holds_on(ANCHOR) for e in exemptions)


# --- the demo ------------------------------------------------------------------------------------

def test_the_demo_evaluates_the_three_scorecards_for_the_anchor_date(con) -> None:
    counts = con.execute("SELECT scorecard, count(*) FROM scorecard_results WHERE evaluated_on = ? "
                         "GROUP BY ALL ORDER BY ALL", [ANCHOR]).fetchall()
    # production readiness: the 36 production services; DORA: also the experimental one; golden paths: all 40
    assert counts == [("dora-performance", 37), ("golden-path-adoption", 40), ("production-readiness", 36)]
    assert con.execute("SELECT scorecard FROM scorecard_specs ORDER BY 1").fetchall() == [
        ("dora-performance",), ("golden-path-adoption",), ("production-readiness",)]
    for scorecard in ("dora-performance", "golden-path-adoption", "production-readiness"):
        assert len(set(levels(con, scorecard).values())) >= 3, scorecard  # a realistic spread


def test_the_dora_scorecard_agrees_with_the_delivery_profiles(con) -> None:
    config = load_config()
    expected = {s.id: s.profile.expected_tier for s in config.services if s.lifecycle != "deprecated"}
    found = levels(con, "dora-performance")
    assert {s for s, level in found.items() if level == "Elite"} == {s for s, t in expected.items() if t == "elite"}
    assert {s for s, level in found.items() if level == "none"} == {s for s, t in expected.items() if t == "low"}


def test_exemptions_no_data_and_imperfect_entries_show_in_the_demo(con) -> None:
    assert rule(con, "production-readiness", "data-export", "has-owner") == (
        "exempt", "exempt until 2027-03-31: Moves to the new data products team once it exists")
    status, reason = rule(con, "production-readiness", "sso-bridge", "on-call")
    assert status == "fail" and reason.endswith(
        "(exemption expired 2026-01-31: Covered by the identity team's shared rota until the PagerDuty migration)")
    # the listing of acme/legacy-ldap-sync was refused: its repository facts are unknown
    assert rule(con, "golden-path-adoption", "legacy-ldap-sync", "containerised") == ("fail", "no data")
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE listed) FROM repo_tree_facts").fetchone() == (60, 59)
    assert con.execute("SELECT team FROM scorecard_results WHERE service = 'data-export' LIMIT 1").fetchone() == (None,)


def test_services_from_the_golden_paths_deliver_faster_in_the_demo(con) -> None:
    rows = {row["template"]: row for row in golden_paths(con, date(2026, 4, 2), date(2026, 7, 1)).to_dict("records")}
    assert list(rows) == ["go-service", "java-service-v1", "node-website", "python-service", None]
    assert rows["go-service"]["services"] == 11 and rows[None]["services"] == 17
    assert rows["go-service"]["deploys_per_week"] > rows[None]["deploys_per_week"]
    assert rows["go-service"]["lead_time_p50_hours"] < rows[None]["lead_time_p50_hours"]
    assert rows["go-service"]["elite_or_high_share"] > rows[None]["elite_or_high_share"]
