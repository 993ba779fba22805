"""Evaluating one check against a service's facts: an outcome (true, false or unknown), the fact
values it looked at, and a short reason.

A fact without data (None) makes a comparison unknown; exists / not_exists are never unknown
(a value "exists" when it is not null, not empty text and not an empty list). all / any / not
carry unknown through as three-valued logic (scorecards.logic).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scorecards.json_text import json_text
from scorecards.logic import Truth, all_of, any_of, negate
from scorecards.model import AllOf, AnyOf, Check, Condition, Not, check_facts

__all__ = ["Outcome", "evaluate_check", "check_value", "present"]


def present(value: Any) -> bool:
    """Whether a fact has a value: not null, not empty text, not an empty list."""
    return value is not None and value != "" and value != []


def _contains(actual: Any, expected: Any) -> bool:
    return expected in actual  # a list holds the item; a text holds the substring


def _matches(actual: Any, pattern: str) -> bool:
    items = actual if isinstance(actual, list) else [actual]
    return any(re.search(pattern, str(item)) is not None for item in items)


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda actual, expected: actual == expected,
    "!=": lambda actual, expected: actual != expected,
    "<": lambda actual, expected: actual < expected,
    "<=": lambda actual, expected: actual <= expected,
    ">": lambda actual, expected: actual > expected,
    ">=": lambda actual, expected: actual >= expected,
    "in": lambda actual, expected: actual in expected,
    "not_in": lambda actual, expected: actual not in expected,
    "contains": _contains,
    "matches": _matches,
}


def _shown(value: Any) -> str:
    """A value as a reason shows it: JSON (text quoted, numbers plain)."""
    return json_text(value, ensure_ascii=False)


@dataclass(frozen=True)
class Outcome:
    """A check's result: `truth` (None: unknown) and why."""

    truth: Truth
    reason: str


def _condition(check: Condition, facts: dict[str, Any]) -> Outcome:
    actual = facts.get(check.fact)
    if check.op in ("exists", "not_exists"):
        holds = present(actual)
        shown = f"{check.fact} = {_shown(actual)}" if holds else f"{check.fact} has no value"
        if check.op == "not_exists":
            holds = not holds
        return Outcome(holds, shown if holds else f"{shown}, expected {'one' if check.op == 'exists' else 'none'}")
    if actual is None:
        return Outcome(None, f"{check.fact} has no data")
    holds = COMPARISONS[check.op](actual, check.value)
    condition = f"{check.op} {_shown(check.value)}"
    shown = f"{check.fact} = {_shown(actual)}"
    return Outcome(holds, f"{shown} ({condition})" if holds else f"{shown}, expected {condition}")


def evaluate_check(check: Check, facts: dict[str, Any]) -> Outcome:
    """The outcome of `check` on one service's facts."""
    if isinstance(check, Condition):
        return _condition(check, facts)
    if isinstance(check, Not):
        inner = evaluate_check(check.check, facts)
        truth = negate(inner.truth)
        return Outcome(truth, f"not ({inner.reason})" if truth is not False else f"expected not ({inner.reason})")
    parts = [evaluate_check(child, facts) for child in check.checks]
    combine = all_of if isinstance(check, AllOf) else any_of
    truth = combine(part.truth for part in parts)
    # Explain with the parts that decided: all -> the failing ones (or all when it holds);
    # any -> the one that holds (or all when none does).
    if truth is True:
        deciding = parts if isinstance(check, AllOf) else [next(p for p in parts if p.truth is True)]
    elif truth is False and isinstance(check, AllOf):
        deciding = [p for p in parts if p.truth is False]
    else:
        deciding = [p for p in parts if p.truth is not True]
    reason = "; ".join(part.reason for part in deciding)
    if isinstance(check, AnyOf) and truth is False:
        reason = f"none holds: {reason}"
    return Outcome(truth, reason)


def check_value(check: Check, facts: dict[str, Any]) -> Any:
    """What a result shows as the value: the fact's value, or {fact: value} when several are checked."""
    names = check_facts(check)
    if len(names) == 1:
        return facts.get(names[0])
    return {name: facts.get(name) for name in names}
