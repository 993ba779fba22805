"""Developer-experience facts per service over the 90 days ending on the evaluation day, as
`metrics.devex.devex_figures` computes them by service (docs/metrics.md, "Developer experience").

A service without pull requests in the window has 0 for the counts and the throughput; its
durations and ratios are unknown.
"""
from __future__ import annotations

from collections.abc import Sequence

import duckdb

from metrics.devex import DEVEX_COUNTS, Scope, devex_figures
from scorecards.facts.registry import CatalogService, Fact, FactContext, FactProvider, ServiceFacts

__all__ = ["DEVEX_FACTS", "devex_provider"]

_FIGURES = {
    "merged_prs": "Pull requests merged in the 90 days (0 without any).",
    "throughput_per_week": "Merged pull requests per week (0 without any).",
    "open_prs": "Pull requests open at the end of the evaluation day (0 without any).",
    "coding_time_p50_hours": "Median coding time of the merged pull requests, hours.",
    "pickup_time_p50_hours": "Median pickup time (ready for review to first review), hours.",
    "review_time_p50_hours": "Median review time (first review to merge), hours.",
    "deploy_time_p50_hours": "Median deploy time (merge to production), hours.",
    "cycle_time_p50_hours": "Median cycle time (first commit to production), hours.",
    "cycle_time_p90_hours": "The 90th percentile cycle time, hours.",
    "pr_size_p50": "Median pull-request size (lines added and deleted).",
    "reviews_per_pr": "Reviews per merged pull request.",
    "unreviewed_prs": "Merged pull requests without any review (0 without any).",
    "cross_team_share": "Share of merged pull requests whose first reviewer sits in another team, 0 to 1.",
}
DEVEX_FACTS = tuple(Fact(f"devex.{figure}", "number", text) for figure, text in _FIGURES.items())
ZERO_WITHOUT_PULL_REQUESTS = {*DEVEX_COUNTS, "throughput_per_week"}


def _collect(con: duckdb.DuckDBPyConnection, services: Sequence[CatalogService], context: FactContext) -> ServiceFacts:
    since, until = context.window
    frame = devex_figures(con, Scope(since, until, group_by="service"), context.metrics)
    rows = {row["group"]: row for row in frame.to_dict(orient="records")}
    facts: ServiceFacts = {}
    for service in services:
        row = rows.get(service.id, {})
        facts[service.id] = {
            f"devex.{figure}": row.get(figure, 0 if figure in ZERO_WITHOUT_PULL_REQUESTS else None)
            for figure in _FIGURES}
    return facts


devex_provider = FactProvider("devex", DEVEX_FACTS, _collect)
