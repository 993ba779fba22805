"""The fact registry: named facts grouped by the provider that collects them.

A provider knows a few facts (name, kind, description) and collects their values for every
service at once, with a few set-based queries. A provider may also own a family of facts by
prefix (`annotations.<key>`). Adding facts means adding a provider to the registry.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import duckdb

from metrics.settings import MetricsSettings
from metrics.window import default_window

__all__ = ["FACT_KINDS", "Fact", "FactContext", "FactProvider", "FactRegistry", "CatalogService", "ServiceFacts"]

FactKind = Literal["number", "text", "boolean", "list"]
FACT_KINDS: tuple[str, ...] = ("number", "text", "boolean", "list")
WINDOW_DAYS = 90

# service id -> fact name -> value (None: no data)
ServiceFacts = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Fact:
    """A named fact; `kind` decides which operators apply (docs/scorecards.md)."""

    name: str
    kind: FactKind
    description: str


@dataclass(frozen=True)
class CatalogService:
    """A service to evaluate: a catalog Component of type service or website, with its repos."""

    id: str
    type: str
    lifecycle: str | None
    team: str | None
    annotations: dict[str, str] = field(default_factory=dict)
    repos: tuple[str, ...] = ()
    catalog: dict[str, Any] = field(default_factory=dict)  # the catalog facts' values


@dataclass(frozen=True)
class FactContext:
    """When the facts are collected (the evaluation day and the 90 days ending with it), and the
    metric settings in force (bots, teams)."""

    today: date
    benchmark: str = "2023"
    metrics: MetricsSettings = field(default_factory=MetricsSettings)

    @property
    def window(self) -> tuple[date, date]:
        """[since, until): the 90 days ending with `today`, `today` included."""
        return default_window(self.today, WINDOW_DAYS)

    @property
    def end_of_day(self) -> date:
        return self.today + timedelta(days=1)


Collector = Callable[[duckdb.DuckDBPyConnection, Sequence[CatalogService], FactContext], ServiceFacts]


@dataclass(frozen=True)
class FactProvider:
    """Collects `facts` (and any `prefix`.KEY fact) for many services at once."""

    name: str
    facts: tuple[Fact, ...]
    collect: Collector
    prefix: Fact | None = None  # its name ends with "." and stands for prefix.KEY

    def knows(self, name: str) -> Fact | None:
        for fact in self.facts:
            if fact.name == name:
                return fact
        if self.prefix is not None and name.startswith(self.prefix.name) and len(name) > len(self.prefix.name):
            return Fact(name, self.prefix.kind, self.prefix.description)
        return None


class FactRegistry:
    """Every provider; looks facts up by name and collects the ones a set of scorecards uses."""

    def __init__(self, providers: Iterable[FactProvider]):
        self.providers = list(providers)

    def lookup(self, name: str) -> Fact | None:
        """The fact called `name`, or None."""
        for provider in self.providers:
            fact = provider.knows(name)
            if fact is not None:
                return fact
        return None

    def facts(self) -> list[Fact]:
        """Every fact, prefix families as `prefix.<key>`, in provider order."""
        found = []
        for provider in self.providers:
            found.extend(provider.facts)
            if provider.prefix is not None:
                found.append(Fact(provider.prefix.name + "<key>", provider.prefix.kind, provider.prefix.description))
        return found

    def suggestions(self, name: str) -> list[str]:
        """Up to three known names close to `name` (for "did you mean")."""
        names = [fact.name for provider in self.providers for fact in provider.facts]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        if close:
            return close
        # A misspelt family (annotation.x for annotations.x): compare the part before the first dot.
        head = name.split(".", 1)[0] + "."
        prefixes = [provider.prefix.name for provider in self.providers if provider.prefix is not None]
        return [prefix + "<key>" for prefix in difflib.get_close_matches(head, prefixes, n=1, cutoff=0.7)]

    def collect(self, con: duckdb.DuckDBPyConnection, services: Sequence[CatalogService], context: FactContext,
                needed: set[str] | None = None) -> ServiceFacts:
        """The facts of every service; only providers owning a `needed` fact run (all when None)."""
        values: ServiceFacts = {service.id: {} for service in services}
        for provider in self.providers:
            if needed is not None and not any(provider.knows(name) for name in needed):
                continue
            for service_id, facts in provider.collect(con, services, context).items():
                values.setdefault(service_id, {}).update(facts)
        return values
