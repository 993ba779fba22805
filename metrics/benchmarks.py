"""DORA performance tiers (METRICS.md rule 13) for the 2023 and 2024 benchmark tables."""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["BENCHMARKS", "Benchmark", "TIERS", "lowest_tier"]

TIERS = ("elite", "high", "medium", "low")  # best first
MONTHLY_PER_WEEK = 0.2301  # 12 deployments a year, per week (METRICS.md rule 13)


@dataclass(frozen=True)
class Benchmark:
    """Band limits per metric, best tier first; a value in no band is "low".

    Frequency: at least the limit (deploys per week). Lead time and recovery: strictly below
    the limit (hours). Change failure rate: at most the limit.
    """

    deploys_per_week_at_least: tuple[float, float, float]
    lead_time_hours_below: tuple[float, float, float]
    change_failure_rate_at_most: tuple[float, float, float]
    recovery_hours_below: tuple[float, float, float]

    def deploy_frequency_tier(self, deploys_per_week: float | None) -> str | None:
        return _band(deploys_per_week, self.deploys_per_week_at_least, lambda v, limit: v >= limit)

    def lead_time_tier(self, hours: float | None) -> str | None:
        return _band(hours, self.lead_time_hours_below, lambda v, limit: v < limit)

    def change_failure_tier(self, rate: float | None) -> str | None:
        return _band(rate, self.change_failure_rate_at_most, lambda v, limit: v <= limit)

    def recovery_tier(self, hours: float | None) -> str | None:
        return _band(hours, self.recovery_hours_below, lambda v, limit: v < limit)


def _band(value: float | None, limits: tuple[float, float, float], within) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for tier, limit in zip(TIERS, limits):
        if within(value, limit):
            return tier
    return "low"


def lowest_tier(*tiers: str | None) -> str | None:
    """The worst of the known tiers (None when none is known)."""
    known = [t for t in tiers if isinstance(t, str)]
    return max(known, key=TIERS.index) if known else None


BENCHMARKS: dict[str, Benchmark] = {
    # State of DevOps 2023: elite/high/medium/low as in METRICS.md rule 13.
    "2023": Benchmark(
        deploys_per_week_at_least=(7.0, 1.0, MONTHLY_PER_WEEK),
        lead_time_hours_below=(24.0, 168.0, 720.0),
        change_failure_rate_at_most=(0.05, 0.10, 0.15),
        recovery_hours_below=(1.0, 24.0, 168.0),
    ),
    # Accelerate State of DevOps 2024 (docs/metrics.md explains how its table maps to bands).
    "2024": Benchmark(
        deploys_per_week_at_least=(7.0, 1.0, MONTHLY_PER_WEEK),
        lead_time_hours_below=(24.0, 168.0, 720.0),
        change_failure_rate_at_most=(0.05, 0.20, 0.40),
        recovery_hours_below=(1.0, 24.0, 168.0),
    ),
}
