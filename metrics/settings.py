"""The settings the metrics need; pitwall passes them down (defaults: METRICS.md)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MetricsSettings"]


class MetricsSettings(BaseModel):
    """What counts as production, how far incidents reach back, what marks rework."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    production_environments: tuple[str, ...] = ("production", "prod", "prd")
    attribution_window_days: float = Field(default=7, gt=0)
    rework_labels: tuple[str, ...] = ("hotfix", "revert")
    timezone: str = "UTC"
