"""The commits each deployment shipped: the compare with the previous deployment of its series.

A series is one repository and one production environment (names compared case-insensitively),
ordered by finish time, ties by id with numeric ids as numbers: the order metrics.derive uses.
Each deployment's `commits` is the list of `GET /compare/{previous sha}...{sha}`; the first of a
series has no baseline and keeps `commits` unknown. The list is given explicitly (rather than
left to a walk of the commit graph) because the warehouse only knows a partial graph: commits
older than the first deployment are missing, and a walk through a pull request's branch commits
would wander into them and count old pull requests again.
"""
from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

import duckdb
import pandas as pd

from ingest.github.settings import SOURCE

__all__ = ["SeriesDeployment", "compare_key", "consecutive_pairs", "missing_compares", "refresh_series"]

SUCCESSFUL_DEPLOYMENTS = """
SELECT id, lower(environment) AS series, sha, finished_at, commits
FROM deployments
WHERE source = $source AND repo = $repo AND status = 'success'
"""

COMPARE_COMMITS = """
SELECT key,
       json_exists(body, '$.unavailable') AS unavailable,
       json_extract_string(body, '$.commits[*].sha') AS shas
FROM raw_documents
WHERE source = $source AND scope = $repo AND kind = 'compare' AND list_contains($keys, key)
"""

UPDATE_COMMITS = """
UPDATE deployments
SET commits = from_json(staged.commits, '["VARCHAR"]')
FROM series_staged AS staged
WHERE deployments.source = $source AND deployments.repo = $repo AND deployments.id = staged.id
"""


@dataclass(frozen=True)
class SeriesDeployment:
    id: str
    series: str        # the environment, lower-cased
    sha: str
    finished_at: datetime
    commits: tuple[str, ...] | None


def compare_key(base: str, head: str) -> str:
    """The raw document key of a compare: `base...head`, as in its URL."""
    return f"{base}...{head}"


def _order(deployment: SeriesDeployment) -> tuple:
    numeric = int(deployment.id) if deployment.id.isdigit() else math.inf
    return deployment.finished_at, numeric, deployment.id


def consecutive_pairs(deployments: Iterable[SeriesDeployment]
                      ) -> list[tuple[SeriesDeployment, SeriesDeployment | None]]:
    """(deployment, its predecessor in the series or None) for every deployment."""
    pairs: list[tuple[SeriesDeployment, SeriesDeployment | None]] = []
    ordered = sorted(deployments, key=lambda d: (d.series, *_order(d)))
    for _, series in groupby(ordered, key=lambda d: d.series):
        previous = None
        for deployment in series:
            pairs.append((deployment, previous))
            previous = deployment
    return pairs


def _successful(con: duckdb.DuckDBPyConnection, repo: str) -> list[SeriesDeployment]:
    rows = con.execute(SUCCESSFUL_DEPLOYMENTS, {"source": SOURCE, "repo": repo}).fetchall()
    return [SeriesDeployment(id_, series, sha, finished_at, tuple(commits) if commits is not None else None)
            for id_, series, sha, finished_at, commits in rows]


def _needed(pairs: Sequence[tuple[SeriesDeployment, SeriesDeployment | None]]) -> dict[str, tuple[str, str]]:
    """compare key -> (base, head) for every pair that needs a compare."""
    return {compare_key(previous.sha, deployment.sha): (previous.sha, deployment.sha)
            for deployment, previous in pairs if previous is not None and previous.sha != deployment.sha}


def _compares(con: duckdb.DuckDBPyConnection, repo: str, keys: list[str]) -> dict[str, list[str] | None]:
    """Stored compares among `keys`: their commit shas (None when GitHub could not compare)."""
    if not keys:
        return {}
    rows = con.execute(COMPARE_COMMITS, {"source": SOURCE, "repo": repo, "keys": keys}).fetchall()
    return {key: None if unavailable else list(shas or []) for key, unavailable, shas in rows}


def missing_compares(con: duckdb.DuckDBPyConnection, repo: str) -> list[tuple[str, str]]:
    """(base, head) of the compares the repository's series need and the raw store lacks."""
    needed = _needed(consecutive_pairs(_successful(con, repo)))
    stored = _compares(con, repo, list(needed))
    return [pair for key, pair in sorted(needed.items()) if key not in stored]


def refresh_series(con: duckdb.DuckDBPyConnection, repo: str) -> int:
    """Set every successful deployment's `commits` from the stored compares (caller's transaction).

    Returns how many deployments still lack their compare (they keep `commits` unknown).
    """
    pairs = consecutive_pairs(_successful(con, repo))
    needed = _needed(pairs)
    stored = _compares(con, repo, list(needed))
    changed: list[tuple[str, str | None]] = []
    missing = 0
    for deployment, previous in pairs:
        if previous is None:
            expected = None
        elif previous.sha == deployment.sha:
            expected = []
        else:
            key = compare_key(previous.sha, deployment.sha)
            missing += key not in stored
            expected = stored.get(key)
        current = list(deployment.commits) if deployment.commits is not None else None
        if current != expected:
            changed.append((deployment.id, json.dumps(expected) if expected is not None else None))
    if changed:
        con.register("series_staged", pd.DataFrame(changed, columns=["id", "commits"], dtype="object"))
        try:
            con.execute(UPDATE_COMMITS, {"source": SOURCE, "repo": repo})
        finally:
            with contextlib.suppress(duckdb.Error):
                con.unregister("series_staged")
    return missing
