"""The scorecard model (DESIGN.md "Scorecard format"): checks, rules, exemptions, scorecards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["OPERATORS", "NONE_LEVEL", "Condition", "AllOf", "AnyOf", "Not", "Check", "Rule", "Exemption",
           "AppliesTo", "Scorecard", "check_facts"]

OPERATORS = ("exists", "not_exists", "==", "!=", "<", "<=", ">", ">=", "in", "not_in", "contains", "matches")
NONE_LEVEL = "none"


@dataclass(frozen=True)
class Condition:
    """`{fact, op, value}`: one fact compared."""

    fact: str
    op: str
    value: Any
    line: int


@dataclass(frozen=True)
class AllOf:
    checks: tuple[Check, ...]
    line: int


@dataclass(frozen=True)
class AnyOf:
    checks: tuple[Check, ...]
    line: int


@dataclass(frozen=True)
class Not:
    check: Check
    line: int


Check = Condition | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    level: str
    weight: float
    check: Check
    remediation: str | None
    line: int


@dataclass(frozen=True)
class Exemption:
    """`service` is exempt from `rule` through `expires` (UTC day, included)."""

    service: str
    rule: str
    reason: str
    expires: date
    line: int

    def holds_on(self, day: date) -> bool:
        return day <= self.expires


@dataclass(frozen=True)
class AppliesTo:
    """Which services a scorecard evaluates: kind service, optionally some types and lifecycles."""

    types: tuple[str, ...] | None = None
    lifecycles: tuple[str, ...] | None = None

    def covers(self, service_type: str, lifecycle: str | None) -> bool:
        """Types and lifecycles compare case-insensitively; no lifecycle matches no lifecycle list."""
        if self.types is not None and service_type.lower() not in self.types:
            return False
        if self.lifecycles is not None and (lifecycle or "").lower() not in self.lifecycles:
            return False
        return True


@dataclass(frozen=True)
class Scorecard:
    id: str
    title: str
    levels: tuple[str, ...]
    rules: tuple[Rule, ...]
    exemptions: tuple[Exemption, ...]
    applies_to: AppliesTo
    file: str
    text: str

    def facts(self) -> set[str]:
        """Every fact name its rules check."""
        return {name for rule in self.rules for name in check_facts(rule.check)}


def check_facts(check: Check) -> list[str]:
    """The fact names of `check`, in order of appearance, without repeats."""
    if isinstance(check, Condition):
        return [check.fact]
    children = [check.check] if isinstance(check, Not) else list(check.checks)
    return list(dict.fromkeys(name for child in children for name in check_facts(child)))
