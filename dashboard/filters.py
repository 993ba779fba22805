"""The overview's filters and their form in the URL query (a link reproduces the view).

URL parameters: `since` and `until` (YYYY-MM-DD, `until` exclusive, as on the CLI), `team`,
`service`, `benchmark` (the DORA benchmark year the tiers come from) and `by` (team or service:
how the overview's table groups). Absent or invalid parameters fall back to the defaults: the
90 days ending today, no team or service, benchmark 2023, grouped by team. Every page reads
the same parameters, so a link reproduces the view on any page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from metrics.benchmarks import BENCHMARKS
from metrics.dora import default_window
from metrics.window import Window

__all__ = ["DEFAULT_BENCHMARK", "GROUPINGS", "Filters", "from_query", "to_query"]

DEFAULT_BENCHMARK = "2023"
"""The benchmark year used when the URL names none (the CLI's default too)."""

GROUPINGS = ("team", "service")
"""What the overview's table can be grouped by."""


@dataclass(frozen=True)
class Filters:
    """What the overview's figures cover: a window [since, until) and optional team and service."""

    since: date
    until: date
    team: str | None = None
    service: str | None = None
    benchmark: str = DEFAULT_BENCHMARK

    @property
    def days(self) -> int:
        """Length of the window in days."""
        return Window(self.since, self.until).days

    def previous(self) -> Filters:
        """The same filters over the period of equal length just before this one."""
        before = Window(self.since, self.until).previous()
        return replace(self, since=before.since, until=before.until)


def _parse_date(text: str) -> date | None:
    """An ISO date (YYYY-MM-DD), or None when `text` is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def from_query(params: Mapping[str, str], today: date | None = None) -> tuple[Filters, str, list[str]]:
    """The filters and table grouping a URL query asks for, and one message per ignored parameter."""
    default_since, default_until = default_window(today)
    ignored: list[str] = []
    since = _parse_date(params.get("since", default_since.isoformat()))
    until = _parse_date(params.get("until", default_until.isoformat()))
    if since is None:
        ignored.append("Ignored the URL parameter since: expected a date as YYYY-MM-DD.")
    if until is None:
        ignored.append("Ignored the URL parameter until: expected a date as YYYY-MM-DD.")
    since, until = since or default_since, until or default_until
    if since >= until:
        ignored.append("Ignored the URL parameters since and until: since must come before until.")
        since, until = default_since, default_until
    by = params.get("by", "team")
    if by not in GROUPINGS:
        ignored.append("Ignored the URL parameter by: expected team or service.")
        by = "team"
    benchmark = params.get("benchmark", DEFAULT_BENCHMARK)
    if benchmark not in BENCHMARKS:
        ignored.append(f"Ignored the URL parameter benchmark: expected one of {', '.join(BENCHMARKS)}.")
        benchmark = DEFAULT_BENCHMARK
    team = params.get("team") or None
    service = params.get("service") or None
    return Filters(since=since, until=until, team=team, service=service, benchmark=benchmark), by, ignored


def to_query(filters: Filters, by: str) -> dict[str, str]:
    """The URL query parameters that reproduce a view (unset team and service and the default
    benchmark left out)."""
    query = {"since": filters.since.isoformat(), "until": filters.until.isoformat(), "by": by}
    if filters.team:
        query["team"] = filters.team
    if filters.service:
        query["service"] = filters.service
    if filters.benchmark != DEFAULT_BENCHMARK:
        query["benchmark"] = filters.benchmark
    return query
