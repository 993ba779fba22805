"""Scorecards over services: each rule's status, the level reached and the score (DESIGN.md).

- A rule passes when its check is true; false fails; unknown fails with the reason "no data".
- An exemption holds through its `expires` day (UTC) at the evaluation day: the rule shows as
  exempt whatever its outcome, counts as passed for the level and is left out of the score.
  An expired exemption changes nothing; the rule's reason says it expired.
- Level: the highest level L such that every rule at L and below passes or is exempt
  (cumulative); "none" below the first level. A level without rules is reached when the level
  below it is.
- Score: the weighted share of passed rules among the non-exempt ones (None when none is left).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from metrics.settings import MetricsSettings
from scorecards.checks import check_value, evaluate_check
from scorecards.facts import DEFAULT_REGISTRY, CatalogService, FactContext, FactRegistry, ServiceFacts, catalog_services
from scorecards.model import NONE_LEVEL, Exemption, Rule, Scorecard

__all__ = ["PASS", "FAIL", "EXEMPT", "NO_DATA", "RuleResult", "Result", "Evaluation", "evaluate_scorecard",
           "evaluate", "unknown_exemptions"]

PASS, FAIL, EXEMPT = "pass", "fail", "exempt"
NO_DATA = "no data"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    level: str
    weight: float
    status: str
    value: Any
    reason: str
    remediation: str | None


@dataclass(frozen=True)
class Result:
    """One service on one scorecard."""

    service: str
    team: str | None
    scorecard: str
    level: str
    level_rank: int  # 0 for "none", 1 for the first level, ...
    score: float | None
    rules: tuple[RuleResult, ...]


@dataclass(frozen=True)
class Evaluation:
    """Every result of one evaluation day, and exemptions that name no known service."""

    evaluated_on: date
    scorecards: tuple[Scorecard, ...]
    results: tuple[Result, ...]
    warnings: tuple[str, ...] = ()


def _rule_result(rule: Rule, facts: dict[str, Any], exemption: Exemption | None, today: date) -> RuleResult:
    outcome = evaluate_check(rule.check, facts)
    value = check_value(rule.check, facts)
    if exemption is not None and exemption.holds_on(today):
        return RuleResult(rule.id, rule.level, rule.weight, EXEMPT, value,
                          f"exempt until {exemption.expires.isoformat()}: {exemption.reason}", rule.remediation)
    status = PASS if outcome.truth is True else FAIL
    reason = NO_DATA if outcome.truth is None else outcome.reason
    if exemption is not None:
        reason += f" (exemption expired {exemption.expires.isoformat()}: {exemption.reason})"
    return RuleResult(rule.id, rule.level, rule.weight, status, value, reason, rule.remediation)


def _level(card: Scorecard, rules: Sequence[RuleResult]) -> int:
    """The rank of the highest level whose rules, and all below, pass or are exempt."""
    reached = 0
    for rank, level in enumerate(card.levels, start=1):
        if any(r.level == level and r.status == FAIL for r in rules):
            break
        reached = rank
    return reached


def _score(rules: Sequence[RuleResult]) -> float | None:
    counted = [r for r in rules if r.status != EXEMPT]
    total = sum(r.weight for r in counted)
    return sum(r.weight for r in counted if r.status == PASS) / total if total else None


def evaluate_scorecard(card: Scorecard, services: Sequence[CatalogService], facts: ServiceFacts,
                       today: date) -> list[Result]:
    """The results of `card` for the services it applies to, by service id."""
    exemptions = {(e.service, e.rule): e for e in card.exemptions}
    results = []
    for service in sorted(services, key=lambda s: s.id):
        if not card.applies_to.covers(service.type, service.lifecycle):
            continue
        values = facts.get(service.id, {})
        rules = tuple(_rule_result(rule, values, exemptions.get((service.id, rule.id)), today) for rule in card.rules)
        rank = _level(card, rules)
        results.append(Result(service.id, service.team, card.id, card.levels[rank - 1] if rank else NONE_LEVEL,
                              rank, _score(rules), rules))
    return results


def unknown_exemptions(cards: Sequence[Scorecard], services: Sequence[CatalogService]) -> list[str]:
    """`file:line` warnings for exemptions naming a service the catalog does not have."""
    known = {service.id for service in services}
    return [f"{card.file}:{e.line}: exemption for '{e.service}' (rule '{e.rule}'): no such service in the catalog"
            for card in cards for e in card.exemptions if e.service not in known]


def evaluate(con: duckdb.DuckDBPyConnection, cards: Sequence[Scorecard], today: date, *,
             registry: FactRegistry = DEFAULT_REGISTRY, metrics: MetricsSettings | None = None) -> Evaluation:
    """Every scorecard over the catalog's services on `today`; facts collected once for all,
    developer-experience facts with the metric settings in force (`metrics`, default the defaults)."""
    services = catalog_services(con)
    needed = set().union(*(card.facts() for card in cards)) if cards else set()
    context = FactContext(today, metrics=metrics or MetricsSettings())
    facts = registry.collect(con, services, context, needed)
    results = [result for card in cards for result in evaluate_scorecard(card, services, facts, today)]
    return Evaluation(today, tuple(cards), tuple(results), tuple(unknown_exemptions(cards, services)))
