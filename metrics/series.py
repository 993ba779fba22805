"""The sequential rule of a deployment series: rollbacks (METRICS.md rule 8).

A series is one repo and one production environment, its deployments in `seq` order. Which
commits each deployment shipped (rule 3) is metrics.shipments' job.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SeriesDeployment", "find_rollbacks"]


@dataclass(frozen=True)
class SeriesDeployment:
    """One successful production deployment, as the rollback rule needs it."""

    source: str
    id: str
    sha: str


def find_rollbacks(deployments: Sequence[SeriesDeployment]) -> list[tuple[SeriesDeployment, SeriesDeployment]]:
    """(rollback, rolled-back deployment) pairs of one series in order (METRICS.md rule 8).

    R is a rollback when its sha differs from its predecessor P's and equals the sha of a
    deployment before P; P is rolled back. Re-shipping the sha P itself rolled back is a
    roll-forward, not a rollback (a redeploy of the same sha keeps what it rolled back).
    """
    found: list[tuple[SeriesDeployment, SeriesDeployment]] = []
    undone_by: dict[int, str] = {}   # index of a rollback (or its redeploy) -> the sha it rolled back
    earlier_shas: set[str] = set()   # shas of deployments before the predecessor
    for index in range(1, len(deployments)):
        current, previous = deployments[index], deployments[index - 1]
        if index >= 2:
            earlier_shas.add(deployments[index - 2].sha)
        if current.sha == previous.sha:
            if index - 1 in undone_by:
                undone_by[index] = undone_by[index - 1]
            continue
        if current.sha not in earlier_shas or undone_by.get(index - 1) == current.sha:
            continue
        found.append((current, previous))
        undone_by[index] = previous.sha
    return found
