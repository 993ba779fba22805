"""Repository facts from one tree listing: which conventional files a repository has.

Every ingester that can list a repository's files does it once per repository and sync
(GitHub: `GET /repos/{o}/{r}/git/trees/{default branch}?recursive=1`; GitLab: the repository
tree with `recursive=true`; local git: `git ls-tree -r --name-only HEAD`), turns the listing into
facts with `tree_facts` and stores them with `store_repo_facts`. Where the listing is refused or
missing it stores `None` instead: the facts become unknown and the sync goes on.

The scorecards read them as `repo.readme`, `repo.codeowners`, `repo.ci_workflow`,
`repo.dockerfile` and `repo.docs_folder` (docs/scorecards.md).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import PurePosixPath

import duckdb

__all__ = ["FACTS", "CI_FILES", "tree_facts", "store_repo_facts", "delete_repo_facts"]

FACTS = ("readme", "codeowners", "ci_workflow", "dockerfile", "docs_folder")

# Folders where GitHub and GitLab look for a README or CODEOWNERS besides the root.
README_FOLDERS = ("", ".github", "docs")
CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")

# Single files that define a CI pipeline, by CI system.
CI_FILES = (
    ".gitlab-ci.yml", "Jenkinsfile", ".circleci/config.yml", "azure-pipelines.yml",
    "bitbucket-pipelines.yml", ".buildkite/pipeline.yml", ".travis.yml",
)
GITHUB_WORKFLOWS = ".github/workflows"

STORE_FACTS = """
INSERT OR REPLACE INTO repo_tree_facts
    (repo, source, listed, readme, codeowners, ci_workflow, dockerfile, docs_folder, listed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _normalise(path: str) -> str:
    """A repository-relative path without a leading `./` or slashes at either end."""
    return path.strip().removeprefix("./").strip("/")


def _folder(path: PurePosixPath) -> str:
    """The folder of `path`, "" at the root."""
    return "" if len(path.parts) == 1 else str(path.parent)


def _is_readme(path: PurePosixPath) -> bool:
    name = path.name.lower()
    return _folder(path) in README_FOLDERS and (name == "readme" or name.startswith("readme."))


def _is_ci_workflow(path: PurePosixPath) -> bool:
    if _folder(path) == GITHUB_WORKFLOWS and path.suffix in (".yml", ".yaml"):
        return True
    return str(path) in CI_FILES


def _is_dockerfile(path: PurePosixPath) -> bool:
    name = path.name.lower()
    return (name in ("dockerfile", "containerfile") or name.startswith("dockerfile.")
            or name.endswith(".dockerfile"))


def tree_facts(paths: Iterable[str]) -> dict[str, bool]:
    """The five repository facts of one tree listing (repository-relative paths).

    `paths` may hold files in sub-folders as full paths and folders as their own entries
    (with or without a trailing slash); a recursive listing is expected, since a CI workflow
    or a Dockerfile may sit in a sub-folder.

    readme       README, README.md, readme.rst, ... at the root, in .github/ or in docs/
    codeowners   CODEOWNERS at the root, in .github/, docs/ or .gitlab/
    ci_workflow  a GitHub Actions workflow (.github/workflows/*.yml or *.yaml) or one of CI_FILES
    dockerfile   a Dockerfile, Containerfile, Dockerfile.* or *.dockerfile anywhere (any case)
    docs_folder  a top-level docs/ folder (its own entry, or anything inside it)
    """
    facts = dict.fromkeys(FACTS, False)
    for raw in paths:
        text = _normalise(raw)
        if not text:
            continue
        path = PurePosixPath(text)
        facts["readme"] |= _is_readme(path)
        facts["codeowners"] |= text in CODEOWNERS_PATHS
        facts["ci_workflow"] |= _is_ci_workflow(path)
        facts["dockerfile"] |= _is_dockerfile(path)
        facts["docs_folder"] |= path.parts[0] == "docs"
    return facts


def store_repo_facts(con: duckdb.DuckDBPyConnection, repo: str, source: str,
                     facts: Mapping[str, bool] | None, *, listed_at: datetime | None = None) -> None:
    """Record `repo`'s facts as listed by `source` (one row per repo and source, replaced).

    `facts` None: the listing was refused or missing; the facts become unknown. `listed_at`
    defaults to now. One statement, so it needs no transaction of its own.
    """
    if facts is not None:
        unknown = set(facts) - set(FACTS)
        if unknown:
            raise ValueError(f"unknown repository fact(s) {sorted(unknown)} (expected {', '.join(FACTS)})")
    values = [None] * len(FACTS) if facts is None else [bool(facts.get(name, False)) for name in FACTS]
    con.execute(STORE_FACTS, [repo, source, facts is not None, *values, listed_at or datetime.now(UTC)])


def delete_repo_facts(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Forget every listing `source` made (before it lists its repositories afresh)."""
    con.execute("DELETE FROM repo_tree_facts WHERE source = ?", [source])
