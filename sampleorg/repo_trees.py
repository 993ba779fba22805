"""The files of each sample repository, as one tree listing (what an ingester would list).

Which conventional files a repository has (README, CODEOWNERS, a CI workflow, a Dockerfile, a
docs/ folder) is drawn per repository from its delivery profile, so well-run services tend to
have them all and legacy ones miss some; libraries rarely ship a Dockerfile. The draw depends on
the configuration's seed and the repository only, never on the anchor date. The listing of
`acme/legacy-ldap-sync` is refused (an archived repository the token cannot read): its facts
are unknown.
"""
from __future__ import annotations

import random

from sampleorg.config import OrgConfig

__all__ = ["REFUSED_LISTINGS", "repo_tree", "repo_trees"]

# Chance that a repository has each file, by the expected tier of its first service's profile.
FILE_CHANCES: dict[str, dict[str, float]] = {
    "elite": {"readme": 1.0, "codeowners": 0.95, "ci_workflow": 1.0, "dockerfile": 1.0, "docs_folder": 0.8},
    "high": {"readme": 1.0, "codeowners": 0.8, "ci_workflow": 1.0, "dockerfile": 0.9, "docs_folder": 0.5},
    "medium": {"readme": 0.95, "codeowners": 0.5, "ci_workflow": 0.9, "dockerfile": 0.7, "docs_folder": 0.3},
    "low": {"readme": 0.8, "codeowners": 0.2, "ci_workflow": 0.6, "dockerfile": 0.4, "docs_folder": 0.1},
    "library": {"readme": 0.95, "codeowners": 0.5, "ci_workflow": 0.9, "dockerfile": 0.15, "docs_folder": 0.3},
}
REFUSED_LISTINGS = ("legacy-ldap-sync",)


def _files(kind: str, prefixes: list[str], rng: random.Random) -> list[str]:
    """The paths of one repository: source files always, conventional files by chance."""
    chances = FILE_CHANCES[kind]
    paths = [f"{prefix}src/main.go" for prefix in prefixes] + ["go.mod", ".gitignore"]
    if rng.random() < chances["readme"]:
        paths.append(rng.choice(["README.md", "README.rst", "readme.md"]))
    if rng.random() < chances["codeowners"]:
        paths.append(rng.choice(["CODEOWNERS", ".github/CODEOWNERS"]))
    if rng.random() < chances["ci_workflow"]:
        paths += [".github/workflows/ci.yml", ".github/workflows/release.yaml"]
    if rng.random() < chances["dockerfile"]:
        paths += [f"{prefix}Dockerfile" for prefix in prefixes]
    if rng.random() < chances["docs_folder"]:
        paths += ["docs/index.md", "docs/runbook.md"]
    return sorted(paths)


def repo_tree(config: OrgConfig, repo_id: str) -> list[str] | None:
    """The paths of `repo_id`'s tree, or None when its listing is refused."""
    if repo_id.split("/", 1)[-1] in REFUSED_LISTINGS:
        return None
    services = [s for s in config.services if any(link.repo == repo_id for link in s.repos)]
    kind = services[0].profile.expected_tier if services else "library"
    prefixes = sorted({f"{link.path.strip('/')}/" for s in services for link in s.repos
                       if link.repo == repo_id and link.path}) or [""]
    return _files(kind, prefixes, random.Random(f"{config.seed}:tree:{repo_id}"))


def repo_trees(config: OrgConfig) -> dict[str, list[str] | None]:
    """Every repository's tree listing (None: refused), by repository id."""
    return {repo_id: repo_tree(config, repo_id) for repo_id in config.repo_ids()}
