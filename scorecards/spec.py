"""Loading scorecard specs (YAML, DESIGN.md "Scorecard format") into the model (scorecards.model).

`load_specs(files, registry)` reads and checks every file; all problems are collected and raised
together as SpecError, each one `file:line: reason`. Checked: the shape of every field, unknown
keys (a typo must not vanish), operators, facts (with the closest names suggested), operator and
value against the fact's kind, levels, duplicate rule ids, and exemptions naming unknown rules.
"""
from __future__ import annotations

import difflib
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

from scorecards.facts.registry import Fact, FactRegistry
from scorecards.model import (
    NONE_LEVEL,
    OPERATORS,
    AllOf,
    AnyOf,
    AppliesTo,
    Check,
    Condition,
    Exemption,
    Not,
    Rule,
    Scorecard,
)
from scorecards.spec_yaml import LineMap, YamlProblem, load_yaml
from warehouse.shown import shown

__all__ = ["SpecError", "load_specs", "parse_spec", "read_spec_files"]

ORDERING = ("<", "<=", ">", ">=")
SCORECARD_KEYS = ("id", "title", "description", "applies_to", "levels", "rules", "exemptions")
RULE_KEYS = ("id", "title", "level", "weight", "check", "remediation")
EXEMPTION_KEYS = ("service", "rule", "reason", "expires")
APPLIES_TO_KEYS = ("kind", "type", "lifecycle")
LEAF_KEYS = ("fact", "op", "value")
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class SpecError(Exception):
    """The specs hold problems, each `file:line: reason`."""

    def __init__(self, messages: list[str]):
        super().__init__(messages[0])
        self.messages = messages


class _Problems:
    """The problems of one file, as `file:line: reason`."""

    def __init__(self, file: str):
        self.file = file
        self.messages: list[str] = []

    def add(self, line: int, reason: str) -> None:
        self.messages.append(f"{self.file}:{line}: {reason}")


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _unknown_keys(data: LineMap, allowed: tuple[str, ...], where: str, problems: _Problems) -> None:
    for key in data:
        if key not in allowed:
            problems.add(data.line_of(key), f"{where}unknown key {shown(key)}{_did_you_mean(str(key), list(allowed))} "
                                            f"(expected {', '.join(allowed)})")


def _text(data: LineMap, key: str, where: str, problems: _Problems, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(data.line, f"{where}missing '{key}'")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(data.line_of(key), f"{where}'{key}' must be non-empty text, got {shown(value)}")
        return None
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_VALUE_CHECKS = {
    "number": (_is_number, "a number"),
    "text": (lambda v: isinstance(v, str), "text"),
    "boolean": (lambda v: isinstance(v, bool), "true or false"),
    "list": (lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v), "a list of text"),
}


class _SpecReader:
    """Reads one file's spec, collecting its problems."""

    def __init__(self, file: str, registry: FactRegistry):
        self.problems = _Problems(file)
        self.registry = registry

    def check(self, data: Any, line: int, where: str) -> Check | None:
        if not isinstance(data, LineMap):
            self.problems.add(line, f"{where}a check must be a mapping: {{fact, op, value}}, {{all: [...]}}, "
                                    f"{{any: [...]}} or {{not: CHECK}}")
            return None
        forms = [key for key in ("all", "any", "not") if key in data]
        if forms and ("fact" in data or len(forms) > 1 or len(data) > 1):
            self.problems.add(data.line, f"{where}a check is one of {{fact, op, value}}, {{all: [...]}}, "
                                         f"{{any: [...]}} or {{not: CHECK}}, got keys {', '.join(map(str, data))}")
            return None
        if not forms:
            return self.condition(data, where)
        form = forms[0]
        if form == "not":
            inner = self.check(data["not"], data.line_of("not"), where)
            return Not(inner, data.line) if inner is not None else None
        items = data[form]
        if not isinstance(items, list) or not items:
            self.problems.add(data.line_of(form), f"{where}'{form}' needs a non-empty list of checks")
            return None
        checks = [self.check(item, data.line_of(form), where) for item in items]
        if any(c is None for c in checks):
            return None
        return (AllOf if form == "all" else AnyOf)(tuple(checks), data.line)

    def condition(self, data: LineMap, where: str) -> Condition | None:
        before = len(self.problems.messages)
        _unknown_keys(data, LEAF_KEYS, where, self.problems)
        name = _text(data, "fact", where, self.problems)
        op = data.get("op")
        if op is None:
            self.problems.add(data.line, f"{where}missing 'op'")
        elif op not in OPERATORS:
            hint = _did_you_mean(str(op), list(OPERATORS))
            self.problems.add(data.line_of("op"), f"{where}unknown operator {shown(op)}{hint} "
                                                  f"(expected one of {', '.join(OPERATORS)})")
        fact = None
        if name is not None:
            fact = self.registry.lookup(name)
            if fact is None:
                close = self.registry.suggestions(name)
                hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
                self.problems.add(data.line_of("fact"), f"{where}unknown fact {shown(name)}{hint}; "
                                                        f"`pitwall scorecards facts` lists them")
        if fact is not None and op in OPERATORS:
            self.operand(data, fact, op, where)
        if len(self.problems.messages) > before:
            return None
        return Condition(name, op, data.get("value"), data.line)

    def operand(self, data: LineMap, fact: Fact, op: str, where: str) -> None:
        """The operator must suit the fact's kind, and the value the operator."""
        line = data.line_of("value") if "value" in data else data.line
        value = data.get("value")
        if op in ("exists", "not_exists"):
            if "value" in data:
                self.problems.add(line, f"{where}'{op}' takes no value")
            return
        if "value" not in data or value is None:
            self.problems.add(data.line, f"{where}'{op}' needs a value")
            return
        kind = fact.kind
        if op in ORDERING and kind != "number":
            self.problems.add(data.line_of("op"), f"{where}'{op}' needs a number fact; '{fact.name}' is {kind}")
        elif op in ("in", "not_in") and kind == "list":
            self.problems.add(data.line_of("op"), f"{where}'{op}' compares one value; '{fact.name}' is a list "
                                                  f"(use contains)")
        elif op == "contains" and kind not in ("list", "text"):
            self.problems.add(data.line_of("op"), f"{where}'contains' needs a list or text fact; "
                                                  f"'{fact.name}' is {kind}")
        elif op == "matches" and kind not in ("list", "text"):
            self.problems.add(data.line_of("op"), f"{where}'matches' needs a text or list fact; "
                                                  f"'{fact.name}' is {kind}")
        elif op in ("in", "not_in"):
            accepts, _ = _VALUE_CHECKS[kind]
            if not isinstance(value, list) or not value or not all(accepts(item) for item in value):
                self.problems.add(line, f"{where}'{op}' needs a non-empty list of {kind} values, got {shown(value)}")
        elif op in ("contains", "matches"):
            if not isinstance(value, str):
                self.problems.add(line, f"{where}'{op}' needs a text value, got {shown(value)}")
            elif op == "matches":
                try:
                    re.compile(value)
                except re.error as error:
                    self.problems.add(line, f"{where}'matches': bad regular expression {shown(value)}: {error}")
        else:
            accepts, label = _VALUE_CHECKS[kind]
            if not accepts(value):
                self.problems.add(line, f"{where}'{fact.name}' is {kind}: '{op}' needs {label}, got {shown(value)}")

    def rule(self, data: Any, line: int, levels: tuple[str, ...]) -> Rule | None:
        if not isinstance(data, LineMap):
            self.problems.add(line, "a rule must be a mapping with id, level and check")
            return None
        before = len(self.problems.messages)
        rule_id = _text(data, "id", "rule: ", self.problems)
        where = f"rule {shown(rule_id)}: " if rule_id else "rule: "
        _unknown_keys(data, RULE_KEYS, where, self.problems)
        title = _text(data, "title", where, self.problems, required=False)
        remediation = _text(data, "remediation", where, self.problems, required=False)
        level = _text(data, "level", where, self.problems)
        if level is not None and levels and level not in levels:
            self.problems.add(data.line_of("level"), f"{where}level {shown(level)} is not among levels "
                                                     f"({', '.join(levels)}){_did_you_mean(level, list(levels))}")
        weight = data.get("weight", 1)
        if not _is_number(weight) or not math.isfinite(weight) or weight <= 0:
            self.problems.add(data.line_of("weight"), f"{where}weight must be a number above 0, got {shown(weight)}")
        check = None
        if "check" not in data:
            self.problems.add(data.line, f"{where}missing 'check'")
        else:
            check = self.check(data["check"], data.line_of("check"), where)
        if len(self.problems.messages) > before or check is None:
            return None
        return Rule(rule_id, title or rule_id, level, float(weight), check, remediation, data.line)

    def exemption(self, data: Any, line: int, rules: dict[str, int]) -> Exemption | None:
        if not isinstance(data, LineMap):
            self.problems.add(line, "an exemption must be a mapping with service, rule, reason and expires")
            return None
        before = len(self.problems.messages)
        where = "exemption: "
        _unknown_keys(data, EXEMPTION_KEYS, where, self.problems)
        service = _text(data, "service", where, self.problems)
        rule = _text(data, "rule", where, self.problems)
        reason = _text(data, "reason", where, self.problems)
        if rule is not None and rule not in rules:
            self.problems.add(data.line_of("rule"), f"{where}unknown rule {shown(rule)}"
                                                    f"{_did_you_mean(rule, list(rules))} (rules: {', '.join(rules)})")
        expires = data.get("expires")
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                pass
        if expires is None:
            self.problems.add(data.line, f"{where}missing 'expires' (a date, YYYY-MM-DD)")
        elif not isinstance(expires, date):
            self.problems.add(data.line_of("expires"),
                              f"{where}'expires' must be a date (YYYY-MM-DD), got {shown(expires)}")
        if len(self.problems.messages) > before:
            return None
        return Exemption(service, rule, reason, expires, data.line)

    def applies_to(self, data: LineMap) -> AppliesTo:
        value = data.get("applies_to")
        if value is None:
            return AppliesTo()
        line = data.line_of("applies_to")
        if not isinstance(value, LineMap):
            self.problems.add(line, "applies_to must be a mapping such as {kind: service, lifecycle: [production]}")
            return AppliesTo()
        _unknown_keys(value, APPLIES_TO_KEYS, "applies_to: ", self.problems)
        kind = value.get("kind", "service")
        if not isinstance(kind, str) or kind.lower() != "service":
            self.problems.add(value.line_of("kind"), f"applies_to: kind must be 'service', got {shown(kind)}")
        return AppliesTo(types=self._names(value, "type"), lifecycles=self._names(value, "lifecycle"))

    def _names(self, data: LineMap, key: str) -> tuple[str, ...] | None:
        """A text or a list of texts, lower-cased; None when absent."""
        value = data.get(key)
        if value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items):
            self.problems.add(data.line_of(key),
                              f"applies_to: {key} must be text or a list of text, got {shown(value)}")
            return None
        return tuple(item.lower() for item in items)

    def levels(self, data: LineMap) -> tuple[str, ...]:
        value = data.get("levels")
        line = data.line_of("levels")
        if value is None:
            self.problems.add(data.line, "missing 'levels' (the level names, lowest first)")
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            self.problems.add(line, f"levels must be a non-empty list of names, lowest first, got {shown(value)}")
            return ()
        if len(set(value)) < len(value):
            twice = sorted({v for v in value if value.count(v) > 1})
            self.problems.add(line, f"levels are given twice: {', '.join(twice)}")
        if NONE_LEVEL in value:
            self.problems.add(line, f"'{NONE_LEVEL}' is reserved for services below the first level")
        return tuple(value)

    def scorecard(self, data: Any, text: str) -> Scorecard | None:
        if not isinstance(data, LineMap):
            self.problems.add(1, "a scorecard spec must be a mapping with id, levels and rules")
            return None
        _unknown_keys(data, SCORECARD_KEYS, "", self.problems)
        card_id = _text(data, "id", "", self.problems)
        if card_id is not None and not ID.fullmatch(card_id):
            self.problems.add(data.line_of("id"), f"id {shown(card_id)} must be letters, digits, '-', '_' or '.'")
        title = _text(data, "title", "", self.problems, required=False)
        _text(data, "description", "", self.problems, required=False)
        applies_to = self.applies_to(data)
        levels = self.levels(data)
        rules = self._rules(data, levels)
        exemptions = self._exemptions(data, {rule.id: rule.line for rule in rules})
        if self.problems.messages:
            return None
        return Scorecard(card_id, title or card_id, levels, tuple(rules), tuple(exemptions), applies_to,
                         self.problems.file, text)

    def _rules(self, data: LineMap, levels: tuple[str, ...]) -> list[Rule]:
        items = data.get("rules")
        if not isinstance(items, list) or not items:
            self.problems.add(data.line_of("rules"), "rules must be a non-empty list")
            return []
        rules: list[Rule] = []
        first: dict[str, int] = {}
        for item in items:
            rule = self.rule(item, data.line_of("rules"), levels)
            if isinstance(item, LineMap) and isinstance(item.get("id"), str):
                rule_id = item["id"]
                if rule_id in first:
                    self.problems.add(item.line_of("id"),
                                      f"duplicate rule id {shown(rule_id)} (first at line {first[rule_id]})")
                    continue
                first[rule_id] = item.line_of("id")
            if rule is not None:
                rules.append(rule)
        return rules

    def _exemptions(self, data: LineMap, rules: dict[str, int]) -> list[Exemption]:
        items = data.get("exemptions")
        if items is None:
            return []
        if not isinstance(items, list):
            self.problems.add(data.line_of("exemptions"), "exemptions must be a list")
            return []
        exemptions: list[Exemption] = []
        seen: dict[tuple[str, str], int] = {}
        for item in items:
            exemption = self.exemption(item, data.line_of("exemptions"), rules)
            if exemption is None:
                continue
            key = (exemption.service, exemption.rule)
            if key in seen:
                self.problems.add(exemption.line, f"exemption: {shown(key[0])} is already exempt from {shown(key[1])} "
                                                  f"(line {seen[key]})")
                continue
            seen[key] = exemption.line
            exemptions.append(exemption)
        return exemptions


def parse_spec(text: str, file: str, registry: FactRegistry) -> tuple[Scorecard | None, list[str]]:
    """One spec from its text: (scorecard, []) or (None, problems as `file:line: reason`)."""
    reader = _SpecReader(file, registry)
    try:
        data = load_yaml(text)
    except YamlProblem as problem:
        reader.problems.add(problem.line, str(problem))
        return None, reader.problems.messages
    return reader.scorecard(data, text), reader.problems.messages


def load_specs(sources: list[tuple[str, str]], registry: FactRegistry) -> list[Scorecard]:
    """Scorecards from (file name, text) pairs, or SpecError with every problem of every file.

    Two files with the same scorecard id are a problem too.
    """
    messages: list[str] = []
    cards: list[Scorecard] = []
    first: dict[str, str] = {}
    for file, text in sources:
        card, problems = parse_spec(text, file, registry)
        messages += problems
        if card is None:
            continue
        if card.id in first:
            messages.append(f"{file}:1: scorecard id {shown(card.id)} is also the id of {first[card.id]}")
            continue
        first[card.id] = file
        cards.append(card)
    if messages:
        raise SpecError(messages)
    return cards


def read_spec_files(paths: list[Path]) -> list[tuple[str, str]]:
    """(file name, text) of each spec file; SpecError when one cannot be read."""
    sources = []
    for path in paths:
        try:
            sources.append((str(path), path.read_text(encoding="utf-8-sig")))
        except FileNotFoundError:
            raise SpecError([f"{path}: no such file"]) from None
        except (IsADirectoryError, UnicodeDecodeError, PermissionError) as error:
            raise SpecError([f"{path}: cannot read the spec: {error}"]) from None
    return sources
