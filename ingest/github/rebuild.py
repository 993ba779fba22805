"""`pitwall rebuild`: the canonical GitHub rows again from the raw store, offline, with the
current settings (production environments, incident label, deployment signal)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import duckdb

from ingest.github.materialize import KINDS, clear_canonical, materialize
from ingest.github.series import refresh_series
from ingest.github.settings import SOURCE, GithubSettings
from ingest.raw import count_documents, document_keys, scopes
from warehouse.transaction import transaction

__all__ = ["rebuild_github", "RebuildSummary"]

KEYS_PER_STEP = 500


@dataclass(frozen=True)
class RebuildSummary:
    repos: int
    documents: int
    records: Counter
    missing_compares: int   # deployments whose compare was never fetched: commits unknown

    def line(self) -> str:
        records = ", ".join(f"{count} {kind}" for kind, count in sorted(self.records.items())) or "nothing"
        noun = "repository" if self.repos == 1 else "repositories"
        line = f"rebuilt GitHub data of {self.repos} {noun} from {self.documents} raw documents: {records}"
        if self.missing_compares:
            line += (f"; {self.missing_compares} deployments need a compare not fetched yet "
                     f"(run `pitwall sync github` to fetch it)")
        return line


def rebuild_github(con: duckdb.DuckDBPyConnection, settings: GithubSettings) -> RebuildSummary:
    """Replace every GitHub canonical row by what the raw documents give under `settings`, in
    one transaction (readers see the old rows or the new ones)."""
    records: Counter = Counter()
    missing = 0
    with transaction(con):
        clear_canonical(con)
        repos = scopes(con, SOURCE)
        for repo in repos:
            for kind in KINDS:
                keys = document_keys(con, SOURCE, repo, kind)
                for start in range(0, len(keys), KEYS_PER_STEP):
                    records.update(materialize(con, settings, repo, {kind: keys[start:start + KEYS_PER_STEP]}))
            missing += refresh_series(con, repo)
        documents = count_documents(con, SOURCE)
    return RebuildSummary(len(repos), documents, records, missing)
