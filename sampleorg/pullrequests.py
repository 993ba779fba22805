"""Planning pull requests: their branch commits, timing, reviews, titles and labels.

The history simulation (history.py) decides when a planned pull request actually merges and
creates its squash or merge commit on main.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sampleorg import text
from sampleorg.clock import TeamClock, log_uniform
from sampleorg.model import Commit, PullRequest, Review, ShaSource
from sampleorg.people import BOT, Staff

__all__ = ["PullRequestFactory"]

COMMIT_COUNTS = ((1, 2, 3, 4, 5, 6), (30, 26, 18, 12, 8, 6))
REVIEW_COUNTS = ((0, 1, 2, 3), (4, 56, 32, 8))
ABANDON_SHARE = 0.05
DRAFT_SHARE = 0.15
DEPENDENCY_SHARE = 0.06
STANDALONE_REVERT_SHARE = 0.01


@dataclass
class PullRequestFactory:
    """Makes the pull requests of one repository, owned by `team`."""

    repo: str
    team: str
    clock: TeamClock
    staff: Staff
    team_tz: dict[str, timezone]
    shas: ShaSource
    rng: random.Random

    def _branch_commits(self, author: str, tz: timezone, first: datetime, last: datetime, count: int,
                        first_subject: str) -> list[Commit]:
        """`count` chained commits authored between `first` and `last` (the base is set later)."""
        span = max((last - first).total_seconds(), 60.0)
        times = [first] + sorted(first + timedelta(seconds=self.rng.uniform(60, span)) for _ in range(count - 1))
        commits: list[Commit] = []
        for index, moment in enumerate(times):
            moment = moment.replace(microsecond=0)
            subject = first_subject if index == 0 else text.branch_commit_message(self.rng)
            parents = [commits[-1].sha] if commits else []
            authored = moment + self.staff.clock_error(author, moment)
            commits.append(Commit(self.repo, self.shas.next(), "branch", authored,
                                  moment + timedelta(seconds=self.rng.randrange(120)), author, tz,
                                  parents, subject))
        return commits

    def _reviews(self, pr: PullRequest, until: datetime, count: int) -> list[Review]:
        """Reviews between the PR turning ready and `until`; the last reviewer approves."""
        reviewers = self.staff.reviewers(self.team, pr.author, pr.ready_at, self.rng, count)
        span = max((until - pr.ready_at).total_seconds(), 120.0)
        moments = sorted(pr.ready_at + timedelta(seconds=self.rng.uniform(0.1, 0.95) * span)
                         for _ in reviewers)
        reviews = []
        for index, (person, moment) in enumerate(zip(reviewers, moments)):
            moment = moment.replace(microsecond=0)
            last = index == len(reviewers) - 1
            if index == 0 and self.rng.random() < 0.2:
                earlier = pr.ready_at + (moment - pr.ready_at) * 0.3
                reviews.append(Review(person.login, "changes_requested", earlier.replace(microsecond=0)))
            state = "approved" if last or self.rng.random() < 0.75 else "commented"
            reviews.append(Review(person.login, state, moment))
        return reviews

    def regular(self, started: datetime, hours: tuple[float, float], style: str, service: str | None,
                prefix: str, earlier_titles: list[str]) -> PullRequest:
        """A pull request whose first commit is at `started`, merging after a `hours` draw.

        A few are abandoned (closed unmerged), some start as drafts, a few are dependency bumps
        from a bot, and about one in a hundred reverts an earlier pull request.
        """
        rng = self.rng
        bot = rng.random() < DEPENDENCY_SHARE
        author = BOT if bot else self.staff.author(self.team, started, rng).login
        tz = UTC if bot else self.team_tz[self.staff.team_of[author]]
        if bot:
            title, labels = text.dependency_title(rng), ["dependencies"]
        elif earlier_titles and rng.random() < STANDALONE_REVERT_SHARE:
            title, labels = f'Revert "{rng.choice(earlier_titles[-20:])}"', ["revert"]
        else:
            title, labels = text.pr_title(rng, prefix)
        end = self.clock.next_working(started + timedelta(hours=log_uniform(rng, *hours)), rng)
        span = end - started
        created = started + span * rng.uniform(0.05, 0.35)
        draft = rng.random() < DRAFT_SHARE
        ready = created + (end - created) * rng.uniform(0.1, 0.4) if draft else created
        abandoned = rng.random() < ABANDON_SHARE
        count = 1 if bot else rng.choices(*COMMIT_COUNTS)[0]
        pr = PullRequest(
            repo=self.repo, author=author, author_tz=tz, title=title, labels=labels,
            style=self._style(style), branch=self._branch(author, title), started_at=started,
            created_at=created.replace(microsecond=0), ready_at=ready.replace(microsecond=0),
            planned_merge=None if abandoned else end, closed_at=end if abandoned else None,
            service=service,
            additions=int(rng.lognormvariate(3.5, 1.2)) + 1,
        )
        pr.deletions = int(pr.additions * rng.uniform(0.05, 0.8))
        pr.commits = self._branch_commits(author, tz, started, started + span * 0.85, count, title)
        for commit in pr.commits:
            commit.pull_request = pr
        reviews = 1 if bot else rng.choices(*REVIEW_COUNTS)[0]
        pr.reviews = self._reviews(pr, end, reviews)
        return pr

    def fix(self, started: datetime, merge_at: datetime, title: str, labels: list[str],
            service: str | None, style: str) -> PullRequest:
        """A one-commit hotfix or revert, opened at `started`, approved and merged at `merge_at`."""
        author = self.staff.author(self.team, started, self.rng).login
        tz = self.team_tz[self.staff.team_of[author]]
        started = started.replace(microsecond=0)
        created = started + (merge_at - started) * 0.2
        pr = PullRequest(
            repo=self.repo, author=author, author_tz=tz, title=title, labels=labels,
            style=self._style(style), branch=self._branch(author, title), started_at=started,
            created_at=created.replace(microsecond=0), ready_at=created.replace(microsecond=0),
            planned_merge=merge_at, service=service, additions=self.rng.randint(1, 40),
        )
        pr.deletions = self.rng.randint(1, 40)
        pr.commits = self._branch_commits(author, tz, started, started, 1, title)
        pr.commits[0].pull_request = pr
        pr.reviews = self._reviews(pr, merge_at, 1)
        return pr

    def _style(self, style: str) -> str:
        if style == "mixed":
            return self.rng.choice(("squash", "merge"))
        return style

    def _branch(self, author: str, title: str) -> str:
        owner = "dependabot" if author == BOT else author
        return f"{owner}/{text.slug(title)}"
