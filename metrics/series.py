"""The sequential rules of a deployment series: which commits each deployment shipped, and rollbacks.

A series is one repo and one production environment, its deployments in `seq` order. The
commit graph of a repo is walked once per series: each deployment walks from its sha and stops
at commits an earlier deployment already reached, so `git log previous..sha` costs nothing extra.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SeriesDeployment", "SeriesResult", "walk_series", "find_rollbacks"]


@dataclass(frozen=True)
class SeriesDeployment:
    """One successful production deployment, as the series walk needs it."""

    source: str
    id: str
    sha: str
    explicit_commits: Sequence[str] | None


@dataclass
class SeriesResult:
    """What the walk found: (deployment, sha) pairs shipped, and deployments without a baseline."""

    shipped: list[tuple[str, str, str]]          # (source, deployment id, sha)
    without_baseline: list[tuple[str, str]]      # (source, deployment id)


def _reach(start: str, parents_of: dict[str, Sequence[str]], seen: set[str]) -> list[str]:
    """Commits reachable from `start` (itself included) not yet in `seen`; adds them to `seen`."""
    if start in seen:
        return []
    found = [start]
    seen.add(start)
    stack = [start]
    while stack:
        for parent in parents_of.get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                found.append(parent)
                stack.append(parent)
    return found


def walk_series(deployments: Iterable[SeriesDeployment], parents_of: dict[str, Sequence[str]]) -> SeriesResult:
    """Assign commits to the deployments of one series (METRICS.md rule 3).

    An explicit commit list always wins; otherwise a deployment ships the commits reachable
    from its sha that no earlier deployment of the series reached. The first deployment has
    no baseline: what it reaches becomes the baseline, and it ships nothing (unless explicit).
    A commit belongs to the first deployment that contains it only.
    """
    result = SeriesResult(shipped=[], without_baseline=[])
    reached: set[str] = set()    # commits contained by some earlier deployment's sha
    assigned: set[str] = set()   # commits already shipped by an explicit list
    first = True
    for deployment in deployments:
        newly_reached = _reach(deployment.sha, parents_of, reached)
        if deployment.explicit_commits is not None:
            shipped = [sha for sha in dict.fromkeys(deployment.explicit_commits) if sha not in assigned]
        elif first:
            shipped = []
            result.without_baseline.append((deployment.source, deployment.id))
        else:
            shipped = [sha for sha in newly_reached if sha not in assigned]
        assigned.update(shipped)
        result.shipped.extend((deployment.source, deployment.id, sha) for sha in shipped)
        first = False
    return result


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
