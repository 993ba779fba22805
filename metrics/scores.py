"""0-10 scores per DORA metric and overall, in the manner of DORA's Quick Check.

Each metric's score is piecewise-linear in log10 of its value between anchor points set by the
benchmark's band limits: the medium, high and elite limits score 2.5, 5 and 7.5; one decade
beyond the elite limit scores 10 and one decade beyond the medium limit (on the bad side) 0;
beyond those it stays at 10 or 0. A best-possible 0 (no lead time, no failures) scores 10 and a
frequency of 0 scores 0. The overall score is the mean of the known metric scores.
"""
from __future__ import annotations

import math

import pandas as pd

from metrics.benchmarks import BENCHMARKS
from metrics.compare import plain_objects

__all__ = ["SCORE_COLUMNS", "metric_score", "score_table"]

# band limit -> score, from the elite limit down to the medium one
LIMIT_SCORES = (7.5, 5.0, 2.5)
DECADE = 10.0

SCORE_INPUTS = {
    "deploy_frequency_score": ("deploys_per_week", "deploys_per_week_at_least", True),
    "lead_time_score": ("lead_time_p50_hours", "lead_time_hours_below", False),
    "change_failure_score": ("change_failure_rate", "change_failure_rate_at_most", False),
    "recovery_score": ("recovery_p50_hours", "recovery_hours_below", False),
}

SCORE_COLUMNS = ["group", "deploys_per_week", "lead_time_p50_hours", "change_failure_rate", "recovery_p50_hours",
                 *SCORE_INPUTS, "score"]


def _anchors(limits: tuple[float, float, float], higher_is_better: bool) -> list[tuple[float, float]]:
    """(log10 value, score) points in increasing value order."""
    elite, _, medium = limits
    beyond = (elite * DECADE, medium / DECADE) if higher_is_better else (elite / DECADE, medium * DECADE)
    points = [(beyond[0], 10.0), *zip(limits, LIMIT_SCORES), (beyond[1], 0.0)]
    return sorted((math.log10(value), score) for value, score in points)


def metric_score(value: float | None, limits: tuple[float, float, float], higher_is_better: bool) -> float | None:
    """The 0-10 score of `value` against a benchmark's three band limits (None when unknown)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value <= 0:
        return 0.0 if higher_is_better else 10.0
    points = _anchors(limits, higher_is_better)
    x = math.log10(value)
    if x <= points[0][0]:
        return points[0][1]
    for (x0, s0), (x1, s1) in zip(points, points[1:]):
        if x <= x1:
            return s0 + (s1 - s0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def score_table(dora: pd.DataFrame, benchmark: str = "2023") -> pd.DataFrame:
    """SCORE_COLUMNS for each row of a `dora_table` frame: the four inputs, their scores and the
    overall score."""
    bands = BENCHMARKS[benchmark]
    frame = dora.reindex(columns=["group", *(column for column, _, _ in SCORE_INPUTS.values())]).copy()
    scores = {name: [metric_score(value, getattr(bands, limits), higher) for value in frame[column]]
              for name, (column, limits, higher) in SCORE_INPUTS.items()}
    for name, values in scores.items():
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
    frame["score"] = pd.Series([_mean(list(row)) for row in zip(*scores.values())], index=frame.index, dtype=object)
    return plain_objects(frame.reindex(columns=SCORE_COLUMNS))
