"""Commits of a local repository from `git log`, parsed from an explicit NUL-separated format.

`git log -z --name-only` separates everything with NULs: the format's fields (%x00), the end of
the message, then the paths the commit changed (the first after a newline). No field can hold a
NUL, so the stream splits unambiguously whatever the messages contain. Each commit starts with a
record separator (%x1e): a misaligned stream is detected, not misread.

Changed paths: renames count as the old and the new path (`--no-renames`); a merge commit lists
none of its own (git shows no diff for it), so its `files` are unknown (None).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from ingest.git_cli import Git, GitError
from warehouse.models import parse_timestamp

__all__ = ["RawCommit", "LOG_FORMAT", "read_commits", "parse_log_fields"]

RECORD = "\x1e"
# sha, parent shas, author name, author email, author date, committer date, raw message.
LOG_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%B"
FIELDS = 7


@dataclass(frozen=True)
class RawCommit:
    """One commit as git tells it (dates in UTC)."""

    sha: str
    parents: tuple[str, ...]
    author: str
    authored_at: datetime
    committed_at: datetime
    message: str
    files: tuple[str, ...] | None

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0].strip()

    @property
    def body_lines(self) -> list[str]:
        """The non-empty lines after the subject."""
        return [line.strip() for line in self.message.split("\n")[1:] if line.strip()]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) >= 2


def _commit(fields: list[str]) -> RawCommit:
    """One commit from its format fields followed by its changed paths."""
    if len(fields) < FIELDS or not fields[0].startswith(RECORD):
        raise GitError("git log output is misaligned (a commit with missing fields)")
    marked_sha, parents, name, email, authored, committed, message = fields[:FIELDS]
    paths = [path.removeprefix("\n") if index == 0 else path for index, path in enumerate(fields[FIELDS:])]
    parent_shas = tuple(parents.split())
    try:
        authored_at, committed_at = parse_timestamp(authored), parse_timestamp(committed)
    except ValueError as error:
        raise GitError(f"commit {marked_sha[1:]}: unreadable date ({error})") from None
    return RawCommit(
        sha=marked_sha[1:], parents=parent_shas, author=name or email or "unknown",
        authored_at=authored_at, committed_at=committed_at, message=message.strip("\n"),
        files=None if len(parent_shas) >= 2 else tuple(path for path in paths if path),
    )


def parse_log_fields(fields: Iterable[str]) -> Iterator[RawCommit]:
    """Group the NUL-separated fields of `git log -z --name-only --format=LOG_FORMAT` into commits."""
    pending: list[str] = []
    for field in fields:
        if field.startswith(RECORD) and pending:
            yield _commit(pending)
            pending = []
        if pending or field:
            pending.append(field)
    if pending:
        yield _commit(pending)


def read_commits(git: Git, revisions: list[str],
                 on_progress: Callable[[int], None] | None = None) -> list[RawCommit]:
    """The commits of `revisions` (e.g. [HEAD] or [LAST..HEAD]), children before parents."""
    commits: list[RawCommit] = []
    fields = git.fields("log", "-z", "--topo-order", "--name-only", "--no-renames", f"--format={LOG_FORMAT}",
                        *revisions, "--")
    for commit in parse_log_fields(fields):
        commits.append(commit)
        if on_progress is not None and len(commits) % 10_000 == 0:
            on_progress(len(commits))
    return commits
