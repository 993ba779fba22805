"""Repository facts: what one tree listing per repository showed (ingest/repo_facts.py).

Per repository the latest successful listing counts, whichever ingester made it; a repository
never listed (or whose listing was refused) has unknown facts. A service with several
repositories has a fact when each of them has it, three-valued: false as soon as one known
listing lacks it, else unknown while one repository is unknown.
"""
from __future__ import annotations

from collections.abc import Sequence

import duckdb

from scorecards.facts.registry import CatalogService, Fact, FactContext, FactProvider, ServiceFacts
from scorecards.logic import all_of

__all__ = ["REPO_FACTS", "repository_provider"]

LATEST_LISTINGS = """
SELECT repo, readme, codeowners, ci_workflow, dockerfile, docs_folder
FROM repo_tree_facts
WHERE listed
QUALIFY row_number() OVER (PARTITION BY repo ORDER BY listed_at DESC, source) = 1
"""

REPO_FACTS = (
    Fact("repo.readme", "boolean", "A README (README, README.md, ...) at the root, in .github/ or in docs/."),
    Fact("repo.codeowners", "boolean", "A CODEOWNERS file at the root, in .github/, docs/ or .gitlab/."),
    Fact("repo.ci_workflow", "boolean", "A CI pipeline: a GitHub Actions workflow (.github/workflows/*.yml), "
                                        ".gitlab-ci.yml, a Jenkinsfile, .circleci/config.yml, ..."),
    Fact("repo.dockerfile", "boolean", "A Dockerfile or Containerfile anywhere in the tree."),
    Fact("repo.docs_folder", "boolean", "A top-level docs/ folder."),
)
COLUMNS = ("readme", "codeowners", "ci_workflow", "dockerfile", "docs_folder")


def _collect(con: duckdb.DuckDBPyConnection, services: Sequence[CatalogService], context: FactContext) -> ServiceFacts:
    listings = {row[0]: row[1:] for row in con.execute(LATEST_LISTINGS).fetchall()}
    unknown = (None,) * len(COLUMNS)
    facts: ServiceFacts = {}
    for service in services:
        rows = [listings.get(repo, unknown) for repo in service.repos]
        facts[service.id] = {f"repo.{column}": all_of(row[i] for row in rows) if rows else None
                             for i, column in enumerate(COLUMNS)}
    return facts


repository_provider = FactProvider("repository", REPO_FACTS, _collect)
