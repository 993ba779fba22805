"""A local clone as `pitwall sync git` sees it: which repository, which branch, which head.

The repo id is `--repo`, else `owner/name` from the `origin` remote URL, else the folder's name
(DESIGN.md). The branch is `--branch`, else the clone's HEAD branch; a local branch is looked up
first, then a remote-tracking one (`origin/main`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.git_cli import Git, GitError, NotARepository
from ingest.git_remote import repo_id_from_url, url_without_credentials

__all__ = ["Clone", "Branch", "UnknownBranch", "ShallowClone", "open_clone"]


class UnknownBranch(GitError):
    """The branch does not exist (or HEAD is detached and no branch was named)."""


class ShallowClone(GitError):
    """The clone's history is cut short (`--depth`): changes and lead times would be wrong."""


@dataclass(frozen=True)
class Branch:
    """A branch to read: its name, its full ref and the commit it points at now."""

    name: str
    ref: str
    head: str


@dataclass(frozen=True)
class Clone:
    """An opened repository: the git command line on it, and its folder."""

    git: Git
    folder: Path

    def origin_url(self) -> str | None:
        return self.git.run("config", "--get", "remote.origin.url", check=False) or None

    def repo_id(self, explicit: str | None = None) -> str:
        """`explicit`, else owner/name from the origin URL, else the folder's name."""
        if explicit:
            return explicit
        url = self.origin_url()
        return (repo_id_from_url(url) if url else None) or self.folder.name.removesuffix(".git")

    def safe_origin_url(self) -> str | None:
        """The origin URL without credentials (what may be stored)."""
        url = self.origin_url()
        return url_without_credentials(url) if url else None

    def branch(self, name: str | None = None) -> Branch:
        """The branch `name` (default: the HEAD branch) and its head commit."""
        if name is None:
            name = self.git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
            if not name:
                raise UnknownBranch(f"{self.folder}: HEAD is detached; name the branch with --branch")
        for ref in (f"refs/heads/{name}", f"refs/remotes/{name}"):
            head = self.git.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
            if head:
                return Branch(name=name, ref=ref, head=head)
        raise UnknownBranch(f"{self.folder}: unknown branch '{name}' (or it has no commits yet)")

    def tree_paths(self, commit: str) -> list[str]:
        """Every file path in the tree of `commit` (`git ls-tree -r --name-only`)."""
        return [path for path in self.git.fields("ls-tree", "-r", "-z", "--name-only", commit) if path]

    def contains(self, ancestor: str, descendant: str) -> bool:
        """True when commit `ancestor` exists and is reachable from `descendant`."""
        return self.git.succeeds("merge-base", "--is-ancestor", ancestor, descendant)


def open_clone(path: Path) -> Clone:
    """The repository at `path` (a working tree, or a bare repository, with its full history)."""
    if not path.is_dir():
        raise NotARepository(f"{path}: {'not a directory' if path.exists() else 'no such directory'}")
    git = Git(path)
    if git.run("rev-parse", "--git-dir", check=False) is None:
        raise NotARepository(f"{path}: not a git repository")
    if git.run("rev-parse", "--is-shallow-repository") == "true":
        raise ShallowClone(f"{path}: a shallow clone (history cut short); run `git fetch --unshallow --tags` first")
    bare = git.run("rev-parse", "--is-bare-repository") == "true"
    top = git.run("rev-parse", "--absolute-git-dir" if bare else "--show-toplevel")
    return Clone(git=git, folder=Path(top))
