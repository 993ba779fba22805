"""`pitwall sync git PATH`: a local clone's commits, pull requests and deploy tags into the warehouse.

What becomes what (source "git"):
- every commit reachable from the branch -> a commit (parents, author, author and committer
  dates, message), linked to its pull request when a merge or squash subject names one
  (ingest.git_pulls);
- pull request N -> a pull request `REPO#N` (the GitHub ingester's id, so both sources agree);
- each tag matching the glob and reachable from the branch -> a successful `production`
  deployment `REPO@TAG` of the tagged commit, deployed at the tagger date of an annotated tag,
  else at the tagged commit's committer date (ingest.git_tags);
- the file listing of the branch head -> the repository facts of the scorecards
  (ingest.repo_facts, source "git").

Incremental: the branch head synced last is kept in sync_state (scope = repo, stream =
`branch:NAME`). A re-run reads only `LAST..HEAD`; when LAST is no longer in the branch's
history (a force-push), or on the first run, everything is read again and replaces the repo's
git commits and pull requests. Tags are re-read whole every time (one cheap git call), and
replace the repo's git deployments. Each sync writes in one transaction with its bookmark.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.git_clone import Branch, Clone, open_clone
from ingest.git_log import RawCommit, read_commits
from ingest.git_pulls import GitPull, PullScan, scan_pulls
from ingest.git_tags import DeployTag, read_deploy_tags
from ingest.repo_facts import store_repo_facts, tree_facts
from ingest.sync_state import StreamState, load_state, save_state
from warehouse.models import Commit, Deployment, PullRequest, Repo, _Record
from warehouse.store import upsert_records
from warehouse.transaction import transaction

__all__ = ["SOURCE", "DEFAULT_DEPLOY_TAGS", "ENVIRONMENT", "GitSyncSummary", "sync_git", "pull_request_id",
           "deployment_id"]

SOURCE = "git"
DEFAULT_DEPLOY_TAGS = "v*"
ENVIRONMENT = "production"

DELETE_REPO_HISTORY = (
    "DELETE FROM commits WHERE source = $source AND repo = $repo",
    "DELETE FROM pull_requests WHERE source = $source AND repo = $repo",
)
DELETE_REPO_DEPLOYMENTS = "DELETE FROM deployments WHERE source = $source AND repo = $repo"
STORED_PULLS = """
SELECT number, title, author, created_at, merged_at, merge_commit_sha
FROM pull_requests
WHERE source = $source AND repo = $repo AND list_contains($numbers, number)
  AND merged_at IS NOT NULL AND merge_commit_sha IS NOT NULL
"""
LOG_RUN = "INSERT INTO ingest_runs VALUES ($source, $target, now(), $records)"


def pull_request_id(repo: str, number: int) -> str:
    return f"{repo}#{number}"


def deployment_id(repo: str, tag: str) -> str:
    """A tag's deployment id: the repo makes it unique (two repos may both tag v1.0)."""
    return f"{repo}@{tag}"


@dataclass(frozen=True)
class GitSyncSummary:
    """What one sync read and wrote."""

    repo: str
    branch: str
    read_from: str | None      # the bookmark the sync started from; None: a full read
    commits: int
    pull_requests: int
    deployments: int
    deploy_tags: str

    def line(self) -> str:
        scope = f"new since {self.read_from[:12]}" if self.read_from else "full read"
        return (f"synced {self.repo} ({self.branch}) from git: {self.commits} commit(s) ({scope}), "
                f"{self.pull_requests} pull request(s), {self.deployments} deployment(s) from tags {self.deploy_tags}")


def _stream(branch: Branch) -> str:
    return f"branch:{branch.name}"


def _start(con: duckdb.DuckDBPyConnection, clone: Clone, repo: str, branch: Branch) -> str | None:
    """The bookmark to read from, or None for a full read (first run, or it left the history)."""
    last = load_state(con, SOURCE, repo, _stream(branch)).bookmark
    return last if last and clone.contains(last, branch.head) else None


def _stored_pulls(con: duckdb.DuckDBPyConnection, repo: str, numbers: Iterable[int]) -> dict[int, GitPull]:
    """The git pull requests already stored with these numbers (a backport merges into them)."""
    wanted = sorted(numbers)
    if not wanted:
        return {}
    rows = con.execute(STORED_PULLS, {"source": SOURCE, "repo": repo, "numbers": wanted}).fetchall()
    return {row[0]: GitPull(*row) for row in rows}


def _merged(scan: PullScan, stored: dict[int, GitPull]) -> list[GitPull]:
    return [pull.combine(stored[number]) if number in stored else pull for number, pull in scan.pulls.items()]


def _commit_record(repo: str, commit: RawCommit, number: int | None) -> Commit:
    return Commit(source=SOURCE, repo=repo, sha=commit.sha, authored_at=commit.authored_at,
                  committed_at=commit.committed_at, author=commit.author, parents=list(commit.parents),
                  pull_request=pull_request_id(repo, number) if number is not None else None,
                  message=commit.message, files=list(commit.files) if commit.files is not None else None)


def _pull_record(repo: str, branch: str, pull: GitPull) -> PullRequest:
    """A merged pull request: closed when merged; a clone knows no labels, sizes or reviews."""
    return PullRequest(source=SOURCE, id=pull_request_id(repo, pull.number), repo=repo, number=pull.number,
                       author=pull.author, created_at=pull.created_at, title=pull.title, merged_at=pull.merged_at,
                       closed_at=pull.merged_at, base_branch=branch, merge_commit_sha=pull.merge_commit_sha)


def _deployment_record(repo: str, tag: DeployTag) -> Deployment:
    return Deployment(source=SOURCE, id=deployment_id(repo, tag.name), repo=repo, environment=ENVIRONMENT,
                      sha=tag.sha, status="success", finished_at=tag.deployed_at)


@dataclass(frozen=True)
class _Read:
    """Everything one sync read from the clone, before anything is written."""

    repo: str
    branch: Branch
    start: str | None               # the bookmark read from; None: a full read
    origin_url: str | None
    commits: list[RawCommit]
    scan: PullScan
    tags: list[DeployTag]
    facts: dict[str, bool]


def _read(con: duckdb.DuckDBPyConnection, path: Path, repo: str | None, branch: str | None, deploy_tags: str,
          on_progress: Callable[[int], None] | None) -> _Read:
    """Read the clone: new commits since the bookmark (or all), their pull requests, tags, facts."""
    clone = open_clone(path)
    chosen = clone.branch(branch)
    repo_id = clone.repo_id(repo)
    start = _start(con, clone, repo_id, chosen)
    revisions = [chosen.head] if start is None else [f"{start}..{chosen.head}"]
    commits = read_commits(clone.git, revisions, on_progress)
    return _Read(repo=repo_id, branch=chosen, start=start, origin_url=clone.safe_origin_url(), commits=commits,
                 scan=scan_pulls(commits), tags=read_deploy_tags(clone.git, chosen.head, deploy_tags),
                 facts=tree_facts(clone.tree_paths(chosen.head)))


def _write(con: duckdb.DuckDBPyConnection, read: _Read) -> list[GitPull]:
    """Write one sync and its bookmark in the caller's transaction; returns the pull requests written.

    A full read replaces the repo's git commits and pull requests; the deployments are replaced
    by the tags listed now on every run.
    """
    repo, branch = read.repo, read.branch
    keys = {"source": SOURCE, "repo": repo}
    if read.start is None:
        for statement in DELETE_REPO_HISTORY:
            con.execute(statement, keys)
    stored = {} if read.start is None else _stored_pulls(con, repo, read.scan.pulls)
    pulls = _merged(read.scan, stored)
    con.execute(DELETE_REPO_DEPLOYMENTS, keys)
    records: list[_Record] = [
        Repo(source=SOURCE, id=repo, provider="git", default_branch=branch.name, url=read.origin_url),
        *(_commit_record(repo, commit, read.scan.links.get(commit.sha)) for commit in read.commits),
        *(_pull_record(repo, branch.name, pull) for pull in pulls),
        *(_deployment_record(repo, tag) for tag in read.tags),
    ]
    upsert_records(con, records)
    store_repo_facts(con, repo, SOURCE, read.facts)
    save_state(con, SOURCE, repo, _stream(branch), StreamState(bookmark=branch.head))
    con.execute(LOG_RUN, {"source": SOURCE, "target": f"{repo} ({branch.name})", "records": len(records)})
    return pulls


def sync_git(con: duckdb.DuckDBPyConnection, path: Path, *, repo: str | None = None, branch: str | None = None,
             deploy_tags: str = DEFAULT_DEPLOY_TAGS,
             on_progress: Callable[[int], None] | None = None) -> GitSyncSummary:
    """Read the clone at `path` and write its commits, pull requests and deploy tags (one transaction).

    Raises GitError (one line) for a missing git, a path that is no repository, an unknown branch,
    a shallow clone. The caller refreshes the derived tables afterwards; `pitwall sync git` opens
    the transaction itself, so the sync and its derived tables commit together.
    """
    read = _read(con, path, repo, branch, deploy_tags, on_progress)
    with transaction(con):
        pulls = _write(con, read)
    return GitSyncSummary(repo=read.repo, branch=read.branch.name, read_from=read.start, commits=len(read.commits),
                          pull_requests=len(pulls), deployments=len(read.tags), deploy_tags=deploy_tags)
