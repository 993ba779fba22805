"""Figures as text for the comparison tables: hours, shares, rates and counts with their units."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.tiles import HOURS, NO_VALUE, PER_WEEK, SHARE

__all__ = ["FIGURE_FORMATS", "format_figure"]


def _plain(value: Any) -> str:
    return f"{float(value):g}" if isinstance(value, (int, float)) else str(value)


FIGURE_FORMATS: dict[str, Callable[[Any], str]] = {
    "hours": lambda value: HOURS.value(float(value)),
    "share": lambda value: SHARE.value(float(value)),
    "per_week": lambda value: PER_WEEK.value(float(value)),
    "plain": _plain,
}


def format_figure(value: Any, kind: str) -> str:
    """`value` written as `kind` (hours, share, per_week or plain); "—" when unknown."""
    if value is None or value != value:   # None or NaN
        return NO_VALUE
    return FIGURE_FORMATS[kind](value)
