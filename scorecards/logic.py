"""Three-valued logic (true, false, unknown = None), as SQL treats NULL."""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Truth", "all_of", "any_of", "negate"]

Truth = bool | None


def all_of(values: Iterable[Truth]) -> Truth:
    """False if one is false; else unknown if one is unknown; else true."""
    values = list(values)
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def any_of(values: Iterable[Truth]) -> Truth:
    """True if one is true; else unknown if one is unknown; else false."""
    values = list(values)
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


def negate(value: Truth) -> Truth:
    """Not: unknown stays unknown."""
    return None if value is None else not value
