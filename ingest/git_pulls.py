"""Pull requests found in commit subjects (DESIGN.md, `pitwall sync git`); pure, no I/O.

- A merge commit (two or more parents) whose subject is `Merge pull request #N ...` or ends in
  `(#N)` merges pull request N. Its own commits are those reachable from its other parents and
  not from its first; they are linked to N, and so is the merge commit.
- A commit with fewer than two parents whose subject ends in `(#N)` is pull request N merged by
  squash: itself its only known commit.
- Several commits naming one number (a backport, a second merge) make one pull request.

Commits are visited oldest first (parents before children), so a commit keeps the first pull
request that claims it: a squash commit keeps its own number, and a pull request merged into a
release branch keeps its commits when the release branch is merged in turn.
"""
from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ingest.git_log import RawCommit

__all__ = ["GitPull", "PullScan", "pull_number", "pull_title", "own_commits", "scan_pulls"]

MERGE_SUBJECT = re.compile(r"^Merge pull request #(\d+)\b")
NUMBER_SUFFIX = re.compile(r"\s*\(#(\d+)\)$")

_FIRST, _OTHER = 1, 2  # walk marks: reached from the first parent, from another parent


@dataclass(frozen=True)
class GitPull:
    """What a clone tells about one pull request (the canonical row's git-known fields)."""

    number: int
    title: str | None
    author: str
    created_at: datetime
    merged_at: datetime
    merge_commit_sha: str

    def combine(self, other: GitPull) -> GitPull:
        """The same pull request seen twice: the earliest merge describes it, the earliest start opens it."""
        first = min(self, other, key=lambda pull: (pull.merged_at, pull.merge_commit_sha))
        return replace(first, created_at=min(self.created_at, other.created_at))


@dataclass
class PullScan:
    """The outcome of a scan: commit sha -> pull request number, and the pull requests by number."""

    links: dict[str, int]
    pulls: dict[int, GitPull]


def pull_number(commit: RawCommit) -> int | None:
    """The pull request number a commit's subject names (merge or squash), if any."""
    subject = commit.subject
    found = NUMBER_SUFFIX.search(subject)
    if commit.is_merge:
        found = MERGE_SUBJECT.match(subject) or found
    return int(found[1]) if found else None


def pull_title(commit: RawCommit) -> str | None:
    """A merge commit's first body line, else its subject without ` (#N)`; a squash subject without it."""
    body = commit.body_lines
    if commit.is_merge and body:
        return body[0]
    return NUMBER_SUFFIX.sub("", commit.subject) or None


def _generations(commits: Sequence[RawCommit]) -> dict[str, int]:
    """A topological level per commit (parents lower than children), over the given commits only."""
    generation: dict[str, int] = {}
    for commit in reversed(commits):  # `commits` lists children before parents
        generation[commit.sha] = 1 + max((generation.get(p, 0) for p in commit.parents), default=0)
    return generation


def own_commits(merge: RawCommit, parents_of: dict[str, tuple[str, ...]], generation: dict[str, int]) -> set[str]:
    """Commits reachable from the merge's other parents and not from its first (`git log P1..P2`).

    Walks highest generation first, marking each commit with the side(s) that reach it; a commit's
    marks are final when it is popped (its descendants all came before), and the walk stops as
    soon as no commit reached only from the other side waits in the queue. Only commits in
    `generation` are walked (on an incremental sync: the new ones).
    """
    marks: dict[str, int] = {}
    expanded: dict[str, int] = {}
    queue: list[tuple[int, str]] = []
    other_only: set[str] = set()

    def mark(sha: str, side: int) -> None:
        before = marks.get(sha, 0)
        if sha not in generation or before | side == before:
            return  # outside the walked commits, or nothing new
        marks[sha] = before | side
        if marks[sha] == _OTHER:
            other_only.add(sha)
        else:
            other_only.discard(sha)
        heapq.heappush(queue, (-generation[sha], sha))

    mark(merge.parents[0], _FIRST)
    for parent in merge.parents[1:]:
        mark(parent, _OTHER)
    while other_only and queue:
        _, sha = heapq.heappop(queue)
        if expanded.get(sha) == marks[sha]:
            continue  # a stale queue entry
        expanded[sha] = marks[sha]
        other_only.discard(sha)
        for parent in parents_of[sha]:
            mark(parent, marks[sha])
    return {sha for sha, side in marks.items() if side == _OTHER}


def _occurrence(number: int, merge: RawCommit, own: list[RawCommit]) -> GitPull:
    """Pull request `number` as one merge or squash commit shows it.

    It opens at the earliest author date of its own commits (merge commits not counted), else at
    the merge or squash commit's author date; its author is that first commit's author.
    """
    candidates = [commit for commit in own if not commit.is_merge] or [merge]
    first = min(candidates, key=lambda commit: (commit.authored_at, commit.sha))
    return GitPull(number=number, title=pull_title(merge), author=first.author, created_at=first.authored_at,
                   merged_at=merge.committed_at, merge_commit_sha=merge.sha)


def scan_pulls(commits: Sequence[RawCommit]) -> PullScan:
    """Find the pull requests of `commits` (children before parents, as `git log --topo-order`)."""
    by_sha = {commit.sha: commit for commit in commits}
    parents_of = {commit.sha: commit.parents for commit in commits}
    generation = _generations(commits)
    scan = PullScan(links={}, pulls={})
    for commit in reversed(commits):  # oldest first: inner merges before the merges that contain them
        number = pull_number(commit)
        if number is None:
            continue
        own: list[RawCommit] = []
        if commit.is_merge:
            for sha in own_commits(commit, parents_of, generation):
                if sha not in scan.links:
                    scan.links[sha] = number
                    own.append(by_sha[sha])
        scan.links[commit.sha] = number
        seen = _occurrence(number, commit, own)
        scan.pulls[number] = scan.pulls[number].combine(seen) if number in scan.pulls else seen
    return scan
