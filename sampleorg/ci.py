"""CI pipeline runs: one per pushed branch commit and per commit on main; failed runs re-run."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sampleorg.history import RepoHistory
from sampleorg.model import PipelineRun

__all__ = ["pipeline_runs"]


def pipeline_runs(history: RepoHistory, failure_rate: float, end: datetime, salt: str) -> list[PipelineRun]:
    """The `ci` workflow's runs of one repository, numbered in start order.

    Branch commits run on the `pull_request` event (a failure of a pull request's last commit is
    re-run as attempt 2 under the same run number, and passes); main commits run on `push`. Runs
    that would start after `end` do not exist yet; one still running at `end` is `in_progress`.
    """
    rng = random.Random(f"{salt}:{history.plan.repo}:ci")
    minutes = rng.uniform(4, 20)
    pr_tips = {pr.commits[-1].sha for pr in history.pull_requests}

    def attempt(sha: str, branch: str, event: str, status: str, started: datetime, number: int) -> PipelineRun:
        finished = started + timedelta(seconds=int(minutes * 60 * rng.uniform(0.7, 1.4)))
        return PipelineRun(history.plan.repo, 0, number, status, started, finished, sha, branch, event)

    runs: list[list[PipelineRun]] = []  # each run: its attempts
    for commit in history.commits:
        if commit.kind == "initial":
            continue
        started = commit.committed_at + timedelta(seconds=rng.randint(10, 90))
        if commit.kind == "branch":
            branch, event = commit.pull_request.branch, "pull_request"
        else:
            branch, event = "main", "push"
        failed = rng.random() < failure_rate
        attempts = [attempt(commit.sha, branch, event, "failure" if failed else "success", started, 1)]
        if failed and commit.sha in pr_tips:
            retry = attempts[0].finished_at + timedelta(minutes=2)
            attempts.append(attempt(commit.sha, branch, event, "success", retry, 2))
        runs.append(attempts)
    runs = sorted((r for r in runs if r[0].started_at < end), key=lambda r: r[0].started_at)
    first = rng.randint(1000, 90000)
    kept = []
    for offset, attempts in enumerate(runs):
        for item in attempts:
            if item.started_at >= end:
                continue
            item.number = first + offset
            if item.finished_at is not None and item.finished_at >= end:
                item.status, item.finished_at = "in_progress", None
            kept.append(item)
    return kept
