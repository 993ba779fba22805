"""`pitwall sync git PATH`: a local clone into the warehouse (registered on the `sync` group)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ingest.git import DEFAULT_DEPLOY_TAGS, sync_git
from ingest.git_cli import GitError, GitNotInstalled, NotARepository
from ingest.git_clone import ShallowClone, UnknownBranch
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.refresh import refresh_derived
from warehouse.transaction import transaction


class GitFailed(UserError):
    """git itself failed on a valid repository (a corrupt object, a lock): one line, exit 1."""

    exit_code = 1


def _print_progress(commits: int) -> None:
    click.echo(f"read {commits} commits...", err=True)


@click.command("git")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--repo", metavar="OWNER/NAME",
              help="The repo id (default: owner/name of the origin remote, else the folder's name).")
@click.option("--branch", help="The branch to read (default: the clone's HEAD branch).")
@click.option("--deploy-tags", default=DEFAULT_DEPLOY_TAGS, show_default=True, metavar="GLOB",
              help="Tags matching this glob on the branch are production deployments.")
@pass_app
def git_command(app: AppContext, path: Path, repo: str | None, branch: str | None, deploy_tags: str) -> None:
    """Sync commits, pull requests (from merge and squash subjects) and deploy tags from a local clone.

    Incremental: a re-run reads only the commits added since the last one. The sync and the
    derived tables it changes are written in one transaction.
    """
    if repo is not None and not repo.strip():
        raise UserError("--repo: expected a repo id such as OWNER/NAME, got an empty value")
    if not deploy_tags:
        raise UserError("--deploy-tags: expected a glob such as 'v*', got an empty value")
    progress = _print_progress if sys.stderr.isatty() else None
    with app.open() as con, transaction(con):
        try:
            summary = sync_git(con, path, repo=repo.strip() if repo else None, branch=branch,
                               deploy_tags=deploy_tags, on_progress=progress)
        except (GitNotInstalled, NotARepository, ShallowClone, UnknownBranch) as error:
            raise UserError(str(error)) from None
        except GitError as error:
            raise GitFailed(f"{path}: {error}") from None
        refresh_derived(con)
    click.echo(summary.line())
