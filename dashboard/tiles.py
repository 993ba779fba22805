"""The five DORA tiles: value, tier badge text and change against the previous period.

Pure functions from dora_table rows to display text, so the wording is tested without a page.
An unknown figure shows "—" and "no data"; the tier badge always names the tier in text.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["NO_PREVIOUS", "NO_VALUE", "SPECS", "TIER_COLORS", "Tile", "build_tiles", "first_row", "tier_label"]

NO_VALUE = "—"
NO_PREVIOUS = "no previous figure"
"""The change shown when the previous period has no figure to compare with."""
TIER_COLORS = {"elite": "green", "high": "blue", "medium": "orange", "low": "red"}
"""Badge colours; the badge text carries the tier's name too (colour is never the only cue)."""

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Tile:
    """One tile as displayed."""

    label: str
    explanation: str        # what the figure means (the tile's help)
    value: str              # the figure, or NO_VALUE
    tier: str               # badge text: "Tier: high", "no tier" or "no data"
    tier_color: str
    delta: str | None       # change against the previous period, NO_PREVIOUS, or None without a figure
    delta_is_neutral: bool  # no change, or nothing to compare with: no arrow, no colour
    lower_is_better: bool
    detail: str             # small print: p90, counts, or "no data"


@dataclass(frozen=True)
class _Unit:
    """How a figure and its change are written: scaled, rounded to `decimals`, with a suffix."""

    scale: float
    decimals: int
    suffix: str
    change_suffix: str

    def value(self, figure: float) -> str:
        return f"{figure * self.scale:.{self.decimals}f}{self.suffix}"

    def change(self, difference: float) -> str:
        return f"{difference * self.scale:+.{self.decimals}f}{self.change_suffix}"

    def is_zero(self, difference: float) -> bool:
        """Whether the change reads as zero once rounded."""
        return round(difference * self.scale, self.decimals) == 0


PER_WEEK = _Unit(scale=1, decimals=2, suffix="/wk", change_suffix="/wk")
HOURS = _Unit(scale=1, decimals=1, suffix=" h", change_suffix=" h")
SHARE = _Unit(scale=100, decimals=1, suffix="%", change_suffix=" pp")   # change in percentage points


@dataclass(frozen=True)
class _TileSpec:
    """Which dora_table columns make a tile, what it means, and the small print under it."""

    label: str
    explanation: str
    column: str
    tier_column: str | None
    unit: _Unit
    lower_is_better: bool
    detail: Callable[[Row, int], str]


def _count(number: int, noun: str) -> str:
    """"1 change", "2 changes"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


SPECS = (
    _TileSpec("Deployment frequency", "Successful production deployments per week.",
              "deploys_per_week", "deploy_frequency_tier", PER_WEEK, False,
              lambda row, days: f"{_count(row['deployments'], 'deployment')} in {days} days"),
    _TileSpec("Change lead time (p50)",
              "Median time from a change's start (first commit, or pull request opened) to its deployment.",
              "lead_time_p50_hours", "lead_time_tier", HOURS, True,
              lambda row, days: f"p90 {HOURS.value(row['lead_time_p90_hours'])} · {_count(row['changes'], 'change')}"),
    _TileSpec("Change failure rate", "Share of deployments that caused an incident or were rolled back.",
              "change_failure_rate", "change_failure_tier", SHARE, True,
              lambda row, days: f"{row['failed_deployments']} of {_count(row['deployments'], 'deployment')} failed"),
    _TileSpec("Recovery time (p50)",
              "Median time from a failed deployment to its rollback or to its last incident's resolution.",
              "recovery_p50_hours", "recovery_tier", HOURS, True,
              lambda row, days: f"over {_count(row['failed_deployments'], 'failed deployment')}"),
    _TileSpec("Rework rate",
              "Share of deployments that were rollbacks, reverts or hotfixes, or shipped during an open "
              "incident. The DORA benchmarks give it no tier.",
              "rework_rate", None, SHARE, True,
              lambda row, days: (f"{row['rework_deployments']} of "
                                 f"{_count(row['deployments'], 'deployment')} were rework")),
)


def first_row(frame: pd.DataFrame) -> dict[str, Any] | None:
    """The first row of `frame` as a dict with missing values as None; None for an empty frame."""
    if frame.empty:
        return None
    return {name: (None if pd.isna(value) else value) for name, value in frame.iloc[0].items()}


def tier_label(tier: str | None, prefix: str = "Tier") -> str:
    """Badge text for a tier: "Tier: high", or "no data" when the tier is unknown."""
    return f"{prefix}: {tier}" if tier else "no data"


def _figure(row: Row | None, column: str) -> float | None:
    """A figure of `row`, or None when the row or the figure is unknown."""
    if row is None or row.get(column) is None:
        return None
    return float(row[column])


def _tile(spec: _TileSpec, current: Row | None, previous: Row | None, days: int) -> Tile:
    """One tile from the current and previous period's rows."""
    now, before = _figure(current, spec.column), _figure(previous, spec.column)
    if now is None:
        tier, color = "no data", "gray"
    elif spec.tier_column is None:
        tier, color = "no tier", "gray"
    else:
        name = current.get(spec.tier_column)
        tier, color = tier_label(name), TIER_COLORS.get(name, "gray")
    if now is None:
        delta, neutral = None, True
    elif before is None:
        delta, neutral = NO_PREVIOUS, True
    else:
        delta, neutral = spec.unit.change(now - before), spec.unit.is_zero(now - before)
    return Tile(
        label=spec.label,
        explanation=spec.explanation,
        value=NO_VALUE if now is None else spec.unit.value(now),
        tier=tier,
        tier_color=color,
        delta=delta,
        delta_is_neutral=neutral,
        lower_is_better=spec.lower_is_better,
        detail="no data" if now is None else spec.detail(current, days),
    )


def build_tiles(current: Row | None, previous: Row | None, days: int) -> list[Tile]:
    """The five tiles, in DORA order, for a window of `days` days."""
    return [_tile(spec, current, previous, days) for spec in SPECS]
