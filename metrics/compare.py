"""Every figure against the previous period of equal length: value, previous, delta, percent."""
from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

__all__ = ["COMPARISON_COLUMNS", "against_previous", "plain_objects"]

COMPARISON_COLUMNS = ["figure", "value", "previous", "delta", "percent"]


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _delta(value: object, previous: object) -> float | None:
    return value - previous if _known(value) and _known(previous) else None


def _percent(delta: float | None, previous: object) -> float | None:
    """The change as a percentage of the previous value (None when that is unknown or 0)."""
    return 100 * delta / previous if delta is not None and previous else None


def plain_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with object columns: numpy scalars as Python values and unknown values as None."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def against_previous(current: pd.DataFrame, previous: pd.DataFrame, keys: Sequence[str],
                     figures: Sequence[str]) -> pd.DataFrame:
    """One row per row of `current` and figure: keys..., figure, value, previous, delta, percent.

    `current` and `previous` are wide (keys + one column per figure, any missing figure counted
    unknown); a row without a match in `previous` has previous values None. Rows keep the order
    of `current`, figures the order of `figures`.
    """
    keys = list(keys)
    columns = [*keys, *figures]
    now = plain_objects(current.reindex(columns=columns))
    before = {tuple(row[:len(keys)]): dict(zip(figures, row[len(keys):]))
              for row in plain_objects(previous.reindex(columns=columns)).itertuples(index=False, name=None)}
    rows = []
    for row in now.itertuples(index=False, name=None):
        key, values = tuple(row[:len(keys)]), row[len(keys):]
        earlier = before.get(key, {})
        for figure, value in zip(figures, values):
            old = earlier.get(figure)
            delta = _delta(value, old)
            rows.append((*key, figure, value, old, delta, _percent(delta, old)))
    return plain_objects(pd.DataFrame(rows, columns=[*keys, *COMPARISON_COLUMNS], dtype=object))
