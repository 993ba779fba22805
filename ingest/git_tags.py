"""Deploy tags: the tags matching a glob whose commit is reachable from a branch.

One `git for-each-ref --merged=BRANCH refs/tags` lists every tag on the branch with what a
deployment needs: the commit it points at (peeled through an annotated tag), the tagger date
of an annotated tag and the committer date of the commit. Cheap enough to run on every sync.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase

from ingest.git_cli import Git
from warehouse.models import parse_timestamp

__all__ = ["DeployTag", "read_deploy_tags", "TAG_FORMAT"]

# name, object type, object, peeled object type and object (annotated tags), tagger date,
# committer date of a commit, committer date of an annotated tag's commit. One tag a line.
TAG_FORMAT = ("%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)"
              "%00%(taggerdate:iso-strict)%00%(committerdate:iso-strict)%00%(*committerdate:iso-strict)")


@dataclass(frozen=True)
class DeployTag:
    """A tag that is a production deployment: its commit and when it was deployed."""

    name: str
    sha: str
    deployed_at: datetime


def _parse(line: str, git: Git) -> DeployTag | None:
    """The deploy tag of one for-each-ref line; None for a tag on something else than a commit."""
    name, kind, target, peeled_kind, peeled, tagger_date, commit_date, peeled_commit_date = line.split("\0")
    if kind == "commit":
        return DeployTag(name, target, parse_timestamp(commit_date))
    if kind != "tag":
        return None
    if peeled_kind == "commit":
        sha, fallback = peeled, peeled_commit_date
    else:  # a tag of a tag: let git peel it all the way
        sha = git.run("rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}", check=False)
        if not sha:
            return None
        fallback = git.run("log", "-1", "--format=%cI", sha)
    # An annotated tag is deployed when it was made; a tag object without tagger (very old
    # repositories) falls back to its commit's committer date.
    return DeployTag(name, sha, parse_timestamp(tagger_date or fallback))


def read_deploy_tags(git: Git, head: str, glob: str) -> list[DeployTag]:
    """Tags matching `glob` (fnmatch, case-sensitive; `*` matches `/` too) reachable from commit `head`, by name."""
    output = git.run("for-each-ref", f"--merged={head}", f"--format={TAG_FORMAT}", "refs/tags")
    tags = []
    for line in output.splitlines():
        if not fnmatchcase(line.split("\0", 1)[0], glob):
            continue
        tag = _parse(line, git)
        if tag is not None:
            tags.append(tag)
    return sorted(tags, key=lambda tag: tag.name)
