"""The scorecard engine, exactly as DESIGN.md's "Scorecard format" semantics: cumulative levels,
levels without rules, exemptions and their expiry, no data, three-valued logic, applies_to,
weights and the score. Facts are given by hand; the rules are real YAML specs."""
from __future__ import annotations

import json
from datetime import date
from textwrap import dedent
from typing import Any

import pytest

from scorecards.evaluate import Result, evaluate_scorecard
from scorecards.facts import DEFAULT_REGISTRY, CatalogService
from scorecards.model import Scorecard
from scorecards.spec import parse_spec

DAY = date(2026, 3, 31)


def card(text: str) -> Scorecard:
    """A scorecard from YAML text (that must be valid)."""
    scorecard, problems = parse_spec(dedent(text), "card.yaml", DEFAULT_REGISTRY)
    assert problems == []
    return scorecard


def svc(id: str = "api", *, type: str = "service", lifecycle: str | None = "production",
        team: str | None = "core") -> CatalogService:
    return CatalogService(id=id, type=type, lifecycle=lifecycle, team=team)


def result(scorecard: Scorecard, facts: dict[str, Any], today: date = DAY,
           service: CatalogService | None = None) -> Result:
    """The one result of `scorecard` for one service with `facts`."""
    service = service or svc()
    found = evaluate_scorecard(scorecard, [service], {service.id: facts}, today)
    assert len(found) == 1
    return found[0]


def statuses(found: Result) -> dict[str, str]:
    return {rule.rule: rule.status for rule in found.rules}


# Rules on the numbers n1..n4 (>= 1 passes): each test sets which ones pass.
THREE_LEVELS = """
id: levels
levels: [Bronze, Silver, Gold]
rules:
  - {id: b1, level: Bronze, check: {fact: dora.deployments, op: ">=", value: 1}}
  - {id: b2, level: Bronze, check: {fact: dora.changes, op: ">=", value: 1}}
  - {id: s1, level: Silver, check: {fact: dora.failed_deployments, op: ">=", value: 1}}
  - {id: g1, level: Gold, check: {fact: dora.rework_deployments, op: ">=", value: 1}}
"""


def numbers(b1: int, b2: int, s1: int, g1: int) -> dict[str, int]:
    return {"dora.deployments": b1, "dora.changes": b2, "dora.failed_deployments": s1, "dora.rework_deployments": g1}


# --- levels ----------------------------------------------------------------------------------

def test_all_silver_rules_passing_but_one_of_two_bronze_rules_failing_gives_no_level() -> None:
    found = result(card(THREE_LEVELS), numbers(1, 0, 1, 1))
    assert (found.level, found.level_rank) == ("none", 0)
    assert statuses(found) == {"b1": "pass", "b2": "fail", "s1": "pass", "g1": "pass"}
    assert found.score == 3 / 4


@pytest.mark.parametrize(("passing", "level"), [
    ((1, 1, 1, 1), "Gold"),
    ((1, 1, 1, 0), "Silver"),
    ((1, 1, 0, 1), "Bronze"),   # Gold's rule passes but Silver fails: cumulative, so Bronze
    ((0, 1, 1, 1), "none"),
])
def test_levels_are_cumulative(passing: tuple[int, int, int, int], level: str) -> None:
    assert result(card(THREE_LEVELS), numbers(*passing)).level == level


LEVEL_WITHOUT_RULES = """
id: gaps
levels: [Listed, Bronze, Silver, Gold]
rules:
  - {id: b, level: Bronze, check: {fact: dora.deployments, op: ">=", value: 1}}
  - {id: g, level: Gold, check: {fact: dora.changes, op: ">=", value: 1}}
"""


@pytest.mark.parametrize(("deployments", "changes", "level"), [
    (1, 1, "Gold"),
    (1, 0, "Silver"),   # Silver has no rules: reached because Bronze is
    (0, 1, "Listed"),   # Listed has no rules and nothing below it: always reached
    (0, 0, "Listed"),
])
def test_a_level_without_rules_is_reached_when_the_level_below_is(deployments: int, changes: int, level: str) -> None:
    found = result(card(LEVEL_WITHOUT_RULES), {"dora.deployments": deployments, "dora.changes": changes})
    assert found.level == level


# --- exemptions --------------------------------------------------------------------------------

EXEMPT = """
id: exempt
levels: [Bronze, Silver]
rules:
  - {id: owned, level: Bronze, weight: 2, check: {fact: owner, op: exists}}
  - {id: weekly, level: Bronze, check: {fact: dora.deploys_per_week, op: ">=", value: 1}}
  - {id: fast, level: Silver, check: {fact: dora.lead_time_p50_hours, op: "<", value: 24}}
exemptions:
  - {service: api, rule: weekly, reason: Frozen until decommission, expires: 2026-03-31}
"""
SLOW = {"owner": "core", "dora.deploys_per_week": 0.5, "dora.lead_time_p50_hours": 12}


def test_an_exemption_holds_through_its_expiry_day() -> None:
    found = result(card(EXEMPT), SLOW, today=date(2026, 3, 31))
    weekly = found.rules[1]
    assert (weekly.status, weekly.value, weekly.reason) == (
        "exempt", 0.5, "exempt until 2026-03-31: Frozen until decommission")
    assert found.level == "Silver"   # counts as passed for the level
    assert found.score == 1.0        # left out of the score: (2 + 1) / (2 + 1)


def test_the_day_after_its_expiry_an_exemption_is_reported_expired_and_changes_nothing() -> None:
    found = result(card(EXEMPT), SLOW, today=date(2026, 4, 1))
    weekly = found.rules[1]
    assert (weekly.status, weekly.reason) == (
        "fail", "dora.deploys_per_week = 0.5, expected >= 1 (exemption expired 2026-03-31: Frozen until decommission)")
    assert found.level == "none"
    assert found.score == 3 / 4      # owned (2) and fast (1) of 4


def test_an_exempt_rule_shows_exempt_even_when_it_passes_and_only_exempt_rules_leave_no_score() -> None:
    only = card("""
    id: only
    levels: [Bronze]
    rules:
      - {id: weekly, level: Bronze, check: {fact: dora.deploys_per_week, op: ">=", value: 1}}
    exemptions:
      - {service: api, rule: weekly, reason: Migrating, expires: 2026-12-31}
    """)
    found = result(only, {"dora.deploys_per_week": 3})
    assert statuses(found) == {"weekly": "exempt"}
    assert (found.level, found.score) == ("Bronze", None)


def test_an_exemption_for_another_service_changes_nothing() -> None:
    found = result(card(EXEMPT), SLOW, service=svc("web"))
    assert statuses(found)["weekly"] == "fail"


# --- no data and three-valued logic ---------------------------------------------------------

def one_rule(check: str, level: str = "Bronze") -> Scorecard:
    return card(f"""
    id: one
    levels: [Bronze]
    rules:
      - id: r
        level: {level}
        remediation: Do it.
        check: {check}
    """)


def test_a_fact_without_data_fails_its_rule_with_no_data() -> None:
    found = result(one_rule('{fact: dora.lead_time_p50_hours, op: "<", value: 24}'), {"dora.lead_time_p50_hours": None})
    rule = found.rules[0]
    assert (rule.status, rule.value, rule.reason, rule.remediation) == ("fail", None, "no data", "Do it.")
    assert (found.level, found.score) == ("none", 0.0)


def test_a_fact_missing_altogether_is_no_data_too() -> None:
    assert result(one_rule("{fact: annotations.pagerduty.com/service-id, op: matches, value: P}"), {}).rules[0].reason \
        == "no data"


@pytest.mark.parametrize(("op", "value", "status", "reason"), [
    ("exists", None, "fail", "owner has no value, expected one"),
    ("not_exists", None, "pass", "owner has no value"),
    ("exists", "", "fail", "owner has no value, expected one"),
    ("exists", "core", "pass", 'owner = "core"'),
    ("not_exists", "core", "fail", 'owner = "core", expected none'),
])
def test_exists_and_not_exists_are_never_unknown(op: str, value: object, status: str, reason: str) -> None:
    rule = result(one_rule(f"{{fact: owner, op: {op}}}"), {"owner": value}).rules[0]
    assert (rule.status, rule.reason) == (status, reason)


def test_an_empty_list_does_not_exist_and_false_does() -> None:
    assert result(one_rule("{fact: tags, op: exists}"), {"tags": []}).rules[0].status == "fail"
    assert result(one_rule("{fact: has_docs, op: exists}"), {"has_docs": False}).rules[0].status == "pass"


# T: 2 >= 1 true; F: 0 >= 1 false; U: no data.
T = '{fact: dora.deployments, op: ">=", value: 1}'
F = '{fact: dora.changes, op: ">=", value: 1}'
U = '{fact: dora.lead_time_p50_hours, op: ">=", value: 1}'
TFU = {"dora.deployments": 2, "dora.changes": 0, "dora.lead_time_p50_hours": None}


@pytest.mark.parametrize(("check", "status", "reason"), [
    (f"{{all: [{T}, {U}]}}", "fail", "no data"),
    (f"{{all: [{F}, {U}]}}", "fail", "dora.changes = 0, expected >= 1"),   # false: decided without the unknown
    (f"{{all: [{T}, {T}]}}", "pass", "dora.deployments = 2 (>= 1); dora.deployments = 2 (>= 1)"),
    (f"{{any: [{T}, {U}]}}", "pass", "dora.deployments = 2 (>= 1)"),       # true: decided without the unknown
    (f"{{any: [{F}, {U}]}}", "fail", "no data"),
    (f"{{any: [{F}, {F}]}}", "fail", "none holds: dora.changes = 0, expected >= 1; dora.changes = 0, expected >= 1"),
    (f"{{not: {U}}}", "fail", "no data"),
    (f"{{not: {F}}}", "pass", "not (dora.changes = 0, expected >= 1)"),
    (f"{{not: {T}}}", "fail", "expected not (dora.deployments = 2 (>= 1))"),
    (f"{{not: {{any: [{F}, {U}]}}}}", "fail", "no data"),
    (f"{{not: {{all: [{F}, {U}]}}}}", "pass", "not (dora.changes = 0, expected >= 1)"),
])
def test_all_any_and_not_carry_unknown_through_as_three_valued_logic(check: str, status: str, reason: str) -> None:
    rule = result(one_rule(check), TFU).rules[0]
    assert (rule.status, rule.reason) == (status, reason)


def test_a_combinator_shows_every_fact_it_checked_as_its_value() -> None:
    rule = result(one_rule(f"{{all: [{T}, {{not: {F}}}, {T}]}}"), TFU).rules[0]
    assert rule.value == {"dora.deployments": 2, "dora.changes": 0}


# --- operators -------------------------------------------------------------------------------

@pytest.mark.parametrize(("fact", "op", "value", "actual", "status"), [
    ("dora.deployments", "==", 3, 3.0, "pass"),
    ("dora.deployments", "!=", 3, 4, "pass"),
    ("dora.deployments", "!=", 3, 3, "fail"),
    ("dora.deployments", "<", 3, 3, "fail"),
    ("dora.deployments", "<=", 3, 3, "pass"),
    ("dora.deployments", ">", 3, 3, "fail"),
    ("dora.deployments", ">=", 3, 3, "pass"),
    ("dora.tier", "in", ["elite", "high"], "high", "pass"),
    ("dora.tier", "in", ["elite", "high"], "medium", "fail"),
    ("dora.tier", "not_in", ["low"], "medium", "pass"),
    ("dora.tier", "not_in", ["low"], "low", "fail"),
    ("tags", "contains", "go", ["java", "go"], "pass"),
    ("tags", "contains", "go", ["golang"], "fail"),          # a list holds the item, not a substring
    ("description", "contains", "pay", "Card payments", "pass"),
    ("description", "matches", "pay(ment)?s", "Card payments", "pass"),   # searched anywhere
    ("description", "matches", "^pay", "Card payments", "fail"),
    ("tags", "matches", "^tier-[12]$", ["go", "tier-2"], "pass"),         # a list: any item
    ("repo.readme", "==", True, True, "pass"),
    ("repo.readme", "!=", True, False, "pass"),
    ("lifecycle", "==", "production", "Production", "fail"),              # text compares exactly
])
def test_operators(fact: str, op: str, value: object, actual: object, status: str) -> None:
    found = result(one_rule(json.dumps({"fact": fact, "op": op, "value": value})), {fact: actual})
    assert found.rules[0].status == status


# --- applies_to, weights, several services ---------------------------------------------------------

def test_applies_to_filters_by_lifecycle_and_type_and_kind_service_covers_websites() -> None:
    scorecard = card("""
    id: filtered
    applies_to: {kind: service, lifecycle: [production, Experimental]}
    levels: [Bronze]
    rules:
      - {id: owned, level: Bronze, check: {fact: owner, op: exists}}
    """)
    services = [svc("api"), svc("web", type="website"), svc("lab", lifecycle="experimental"),
                svc("old", lifecycle="deprecated"), svc("new", lifecycle=None)]
    found = evaluate_scorecard(scorecard, services, {}, DAY)
    assert [r.service for r in found] == ["api", "lab", "web"]   # by id
    typed = card("""
    id: sites
    applies_to: {kind: service, type: website}
    levels: [Bronze]
    rules:
      - {id: owned, level: Bronze, check: {fact: owner, op: exists}}
    """)
    assert [r.service for r in evaluate_scorecard(typed, services, {}, DAY)] == ["web"]


def test_the_score_is_the_weighted_share_of_passed_rules() -> None:
    scorecard = card("""
    id: weights
    levels: [Bronze]
    rules:
      - {id: heavy, level: Bronze, weight: 2, check: {fact: dora.deployments, op: ">=", value: 1}}
      - {id: plain, level: Bronze, check: {fact: dora.changes, op: ">=", value: 1}}
      - {id: light, level: Bronze, weight: 0.5, check: {fact: dora.rework_deployments, op: ">=", value: 1}}
    """)
    found = result(scorecard, {"dora.deployments": 1, "dora.changes": 0, "dora.rework_deployments": 1})
    assert found.score == 2.5 / 3.5
    assert [rule.weight for rule in found.rules] == [2.0, 1.0, 0.5]


def test_each_result_carries_the_services_team() -> None:
    found = evaluate_scorecard(card(THREE_LEVELS), [svc("a", team="pay"), svc("b", team=None)],
                               {"a": numbers(1, 1, 1, 1)}, DAY)
    assert [(r.service, r.team, r.level) for r in found] == [("a", "pay", "Gold"), ("b", None, "none")]
