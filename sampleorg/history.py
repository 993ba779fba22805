"""One repository's year: merges to main, deployments, failures and how they are recovered.

A small discrete-event simulation. Planned pull requests merge (squash: one commit on main whose
parent is the previous head; merge: a two-parent merge commit bringing the branch in), services
deploy the head of main (continuously after merges, or on a schedule), and a share of regular
deployments fail. A failure is answered either by a rollback (re-shipping the previous
deployment's sha, then a `Revert "..."` pull request) or by an incident and a hotfix pull
request. Until the fix ships, regular deployments of the repository wait (a freeze), so an
incident always starts before the next deployment of its service.
"""
from __future__ import annotations

import bisect
import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sampleorg import text
from sampleorg.clock import TeamClock, log_uniform, weekdays
from sampleorg.config import Defaults, ServiceConfig, TeamConfig
from sampleorg.model import Commit, Deployment, Incident, PullRequest, ShaSource
from sampleorg.people import Staff
from sampleorg.pullrequests import PullRequestFactory

__all__ = ["RepoHistory", "RepoPlan", "simulate_repo"]

SEVERITIES = (("sev1", "sev2", "sev3", "sev4"), (1, 3, 4, 2))
CAUSES = (("deployment", "sha", "window"), (4, 3, 3))


@dataclass(frozen=True)
class RepoPlan:
    """What lives in a repository: its owning team, the services deploying from it, its pace."""

    repo: str
    team: TeamConfig
    services: tuple[ServiceConfig, ...]
    merge_style: str
    library_rate: float
    library_hours: tuple[float, float]
    launched_days_ago: int | None = None


@dataclass
class RepoHistory:
    """Everything that happened in one repository."""

    plan: RepoPlan
    commits: list[Commit] = field(default_factory=list)
    main: list[Commit] = field(default_factory=list)
    pull_requests: list[PullRequest] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    production: list[Deployment] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=int(rng.uniform(low, high) * 60))


def daily_count(rng: random.Random, rate: float) -> int:
    """How many pull requests start on a weekday: `rate` on average, with a little spread."""
    count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
    if rng.random() < 0.2:
        count += rng.choice((-1, 1))
    return max(count, 0)


class _Simulation:
    """The event loop for one repository (see the module docstring)."""

    def __init__(self, plan: RepoPlan, staff: Staff, team_tz: dict[str, timezone], defaults: Defaults,
                 start: datetime, end: datetime, salt: str):
        self.plan = plan
        self.defaults = defaults
        self.start, self.end = start, end
        self.rng = random.Random(f"{salt}:{plan.repo}")
        self.shas = ShaSource(f"{salt}:{plan.repo}")
        self.clock = TeamClock(plan.team.utc_offset)
        self.staff = staff
        self.team_tz = team_tz
        self.factory = PullRequestFactory(plan.repo, plan.team.id, self.clock, staff, team_tz, self.shas, self.rng)
        self.history = RepoHistory(plan)
        self.main_times: list[datetime] = []
        self.shipped = 0  # main[:shipped] are contained in a production deployment
        self.freeze_until = start
        self.last_title: str | None = None  # of the latest merged pull request (direct reverts)
        self.credit = {s.id: self.rng.random() for s in plan.services}
        self.queue: list[tuple[datetime, int, str, Any]] = []
        self.sequence = 0

    # -- the event queue ------------------------------------------------------------------------

    def push(self, at: datetime, kind: str, payload: Any) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (at.replace(microsecond=0), self.sequence, kind, payload))

    def run(self) -> RepoHistory:
        self._initial_commit()
        self._plan_pull_requests()
        self._plan_direct_commits()
        for service in self.plan.services:
            if service.profile.deploy == "scheduled":
                first = self.start + timedelta(days=self.rng.uniform(0, service.profile.deploy_every_days[1]))
                self.push(self.clock.next_working(first, self.rng), "deploy", (service, "regular"))
        handlers = {"merge": self._merge, "direct": self._direct, "deploy": self._deploy,
                    "rollback": self._rollback}
        while self.queue:
            at, _, kind, payload = heapq.heappop(self.queue)
            if at >= self.end:
                break
            handlers[kind](at, payload)
        self._finish()
        return self.history

    # -- planning ---------------------------------------------------------------------------------

    def _initial_commit(self) -> None:
        at = self.start - timedelta(days=1)
        author = self.staff.active(self.plan.team.id, at)[0]
        self._append_main(Commit(self.plan.repo, self.shas.next(), "initial", at, at, author.login,
                                 self.team_tz[author.team], [], "Initial commit"))

    def _paces(self) -> list[tuple[str | None, float, tuple[float, float], str]]:
        """(service, pull requests per weekday, hours to merge, title prefix) per stream."""
        if not self.plan.services:
            return [(None, self.plan.library_rate, self.plan.library_hours, "")]
        monorepo = len(self.plan.services) > 1
        return [(s.id, s.profile.prs_per_weekday, s.profile.pr_hours,
                 f"{s.id.rsplit('-', 1)[-1]}: " if monorepo else "") for s in self.plan.services]

    def _plan_pull_requests(self) -> None:
        titles: list[str] = []
        for service, rate, hours, prefix in self._paces():
            for day in weekdays(self.start.date(), self.end.date()):
                for _ in range(daily_count(self.rng, rate)):
                    started = self.clock.at(day, self.rng)
                    pr = self.factory.regular(started, hours, self.plan.merge_style, service, prefix, titles)
                    titles.append(pr.title)
                    self.history.pull_requests.append(pr)
                    if pr.planned_merge is not None:
                        self.push(pr.planned_merge, "merge", (pr, None))

    def _plan_direct_commits(self) -> None:
        merges = sum(1 for pr in self.history.pull_requests if pr.planned_merge is not None)
        days = list(weekdays(self.start.date(), self.end.date()))
        for _ in range(round(merges * self.defaults.direct_commit_share)):
            self.push(self.clock.at(self.rng.choice(days), self.rng), "direct", None)

    # -- main branch ------------------------------------------------------------------------------

    def _append_main(self, commit: Commit) -> None:
        self.history.main.append(commit)
        self.main_times.append(commit.committed_at)

    def _merge(self, at: datetime, payload: tuple[PullRequest, tuple[ServiceConfig, datetime] | None]) -> None:
        """Merge a pull request; a fix (hotfix or revert) brings its own deployment time."""
        pr, fix = payload
        head = self.history.main[-1]
        if pr.style == "squash":
            commit = Commit(self.plan.repo, self.shas.next(), "squash", at, at, pr.author, pr.author_tz,
                            [head.sha], pr.title, pr)
        else:
            commit = Commit(self.plan.repo, self.shas.next(), "merge", at, at, pr.author, pr.author_tz,
                            [head.sha, pr.commits[-1].sha], pr.title, pr)
        pr.merged_at = at
        pr.merge_commit = commit
        self.last_title = pr.title
        self._append_main(commit)
        if fix is not None:
            service, deploy_at = fix
            self.push(deploy_at, "deploy", (service, "fix"))
        else:
            self._after_push(at, pr.service)

    def _direct(self, at: datetime, _: None) -> None:
        """A commit pushed straight to main: a version bump, or now and then a revert."""
        author = self.staff.author(self.plan.team.id, at, self.rng)
        if self.last_title is not None and self.rng.random() < 0.2:
            subject = f'Revert "{self.last_title}"'
        else:
            subject = f"Bump version to 1.{len(self.history.main) // 40}.{len(self.history.main) % 40}"
        commit = Commit(self.plan.repo, self.shas.next(), "direct", at, at, author.login,
                        self.team_tz[author.team], [self.history.main[-1].sha], subject)
        self._append_main(commit)
        single = self.plan.services[0].id if len(self.plan.services) == 1 else None
        self._after_push(at, single)

    def _after_push(self, at: datetime, service_id: str | None) -> None:
        """Continuous deployment: a push to main ships after the pipeline's delay."""
        for service in self.plan.services:
            if service.profile.deploy == "continuous" and service_id in (None, service.id):
                delay = _minutes(self.rng, *service.profile.deploy_delay_minutes)
                self.push(at + delay, "deploy", (service, "regular"))

    # -- deployments ------------------------------------------------------------------------------

    def _record(self, service: ServiceConfig, sha: str, status: str, finished: datetime, kind: str,
                environment: str | None = None, minutes: tuple[float, float] = (2, 12)) -> Deployment:
        deployment = Deployment(
            repo=self.plan.repo, environment=environment or service.environment, sha=sha, status=status,
            started_at=finished - _minutes(self.rng, *minutes), finished_at=finished,
            service_id=service.id, name_service=len(self.plan.services) > 1, kind=kind,
        )
        self.history.deployments.append(deployment)
        return deployment

    def _deploy(self, at: datetime, payload: tuple[ServiceConfig, str]) -> None:
        """Ship the head of main to staging then production, unless frozen or nothing is new."""
        service, kind = payload
        profile = service.profile
        if kind == "regular" and at < self.freeze_until:
            self.push(self.freeze_until + _minutes(self.rng, 5, 60), "deploy", payload)
            return
        head = self.history.main[-1]
        production = self.history.production
        if not (production and production[-1].sha == head.sha):
            self._ship(at, service, kind, head)
        if kind == "regular" and profile.deploy == "scheduled":
            gap = timedelta(days=self.rng.uniform(*profile.deploy_every_days))
            self.push(self.clock.next_working(at + gap, self.rng), "deploy", payload)

    def _ship(self, at: datetime, service: ServiceConfig, kind: str, head: Commit) -> None:
        self._record(service, head.sha, "success", at - _minutes(self.rng, 20, 60), "staging", "staging")
        if self.rng.random() < service.profile.attempt_rate:
            status = self.rng.choices(("failure", "error", "cancelled"), weights=(6, 3, 1))[0]
            self._record(service, head.sha, status, at - _minutes(self.rng, 8, 18), "attempt", minutes=(1, 6))
        deployment = self._record(service, head.sha, "success", at, kind)
        shipped = self.history.main[self.shipped:]
        self.shipped = len(self.history.main)
        self.history.production.append(deployment)
        if kind == "regular" and shipped and self._fails(service):
            self._fail(at, service, deployment, shipped)

    def _fails(self, service: ServiceConfig) -> bool:
        """Failures spread evenly: a credit grows by the failure rate and fails at 1."""
        self.credit[service.id] += service.profile.failure_rate
        if self.credit[service.id] >= 1:
            self.credit[service.id] -= 1
            return True
        return False

    def _rollback(self, at: datetime, payload: tuple[ServiceConfig, str]) -> None:
        service, sha = payload
        self.history.production.append(self._record(service, sha, "success", at, "rollback", minutes=(1, 5)))

    # -- failures ---------------------------------------------------------------------------------

    def _fail(self, at: datetime, service: ServiceConfig, deployment: Deployment, shipped: list[Commit]) -> None:
        """A bad deployment: roll back, or open an incident and ship a hotfix."""
        profile = service.profile
        recovery = timedelta(hours=log_uniform(self.rng, *profile.recovery_hours))
        culprit = self.rng.choice(shipped)
        can_roll_back = len(self.plan.services) == 1 and len(self.history.production) >= 2
        if can_roll_back and self.rng.random() < profile.rollback_share:
            self._roll_back(at, service, deployment, culprit, recovery)
        else:
            self._incident_and_hotfix(at, service, deployment, culprit, recovery)

    def _roll_back(self, at: datetime, service: ServiceConfig, deployment: Deployment, culprit: Commit,
                   recovery: timedelta) -> None:
        rollback_at = at + recovery
        self.push(rollback_at, "rollback", (service, self.history.production[-2].sha))
        if self.rng.random() < 0.3:
            self._add_incident(at + recovery * 0.3, rollback_at + recovery * 0.1, service, "deployment",
                               deployment, None)
        title = culprit.pull_request.title if culprit.pull_request else culprit.subject
        labels = ["revert"] if self.rng.random() < 0.8 else []
        merge_at = rollback_at + recovery * 0.5 + timedelta(minutes=10)
        deploy_at = merge_at + recovery * 0.2 + timedelta(minutes=5)
        pr = self.factory.fix(rollback_at + recovery * 0.1, merge_at, f'Revert "{title}"', labels,
                              service.id, self.plan.merge_style)
        self._plan_fix(pr, service, deploy_at)

    def _incident_and_hotfix(self, at: datetime, service: ServiceConfig, deployment: Deployment,
                             culprit: Commit, recovery: timedelta) -> None:
        started = at + min(recovery * self.rng.uniform(0.05, 0.25), timedelta(days=3))
        cause = self.rng.choices(*CAUSES)[0]
        incident = self._add_incident(started, at + recovery, service, cause, deployment, culprit)
        merge_at = at + recovery * 0.6
        pr = self.factory.fix(started + (merge_at - started) * 0.1, merge_at, f"Hotfix: {incident.title}",
                              ["hotfix"], service.id, self.plan.merge_style)
        self._plan_fix(pr, service, at + recovery * 0.8)

    def _plan_fix(self, pr: PullRequest, service: ServiceConfig, deploy_at: datetime) -> None:
        self.history.pull_requests.append(pr)
        self.push(pr.planned_merge, "merge", (pr, (service, deploy_at)))
        self.freeze_until = deploy_at + timedelta(minutes=1)

    def _add_incident(self, started: datetime, resolved: datetime, service: ServiceConfig, cause: str,
                      deployment: Deployment, culprit: Commit | None) -> Incident:
        """An incident naming its cause by deployment id, by commit sha, or only by service and time."""
        sha = None
        if cause == "sha" and culprit is not None:
            # a merge commit's branch tip is shipped by the same deployment and is a plain change
            sha = culprit.parents[1] if culprit.kind == "merge" else culprit.sha
        incident = Incident(
            started_at=started.replace(microsecond=0),
            resolved_at=resolved.replace(microsecond=0) if resolved < self.end else None,
            title=text.incident_title(self.rng, service.id),
            severity=self.rng.choices(*SEVERITIES)[0],
            service=service.id, repo=self.plan.repo if cause == "sha" else None, cause=cause,
            deployment=deployment if cause == "deployment" else None, sha=sha,
        )
        if incident.started_at < self.end:
            self.history.incidents.append(incident)
        return incident

    # -- wrapping up ------------------------------------------------------------------------------

    def _finish(self) -> None:
        """Root every branch at the main head of its start; number PRs and deployments."""
        history = self.history
        for pr in history.pull_requests:
            base = history.main[bisect.bisect_right(self.main_times, pr.started_at) - 1]
            pr.commits[0].parents = [base.sha]
        history.pull_requests = sorted((pr for pr in history.pull_requests if pr.created_at < self.end),
                                       key=lambda pr: pr.created_at)
        first = self.rng.randint(1, 400)
        for offset, pr in enumerate(history.pull_requests):
            pr.number = first + offset
        branch = [c for pr in history.pull_requests for c in pr.commits if c.authored_at < self.end]
        history.commits = sorted(history.main + branch, key=lambda c: c.committed_at)
        history.deployments.sort(key=lambda d: d.finished_at)
        first = self.rng.randint(1, 5000)
        for offset, deployment in enumerate(history.deployments):
            deployment.number = first + offset


def simulate_repo(plan: RepoPlan, staff: Staff, team_tz: dict[str, timezone], defaults: Defaults,
                  start: datetime, end: datetime, salt: str) -> RepoHistory:
    """The history of one repository from `start` (or its launch) to `end` (exclusive)."""
    if plan.launched_days_ago is not None:
        start = max(start, end - timedelta(days=plan.launched_days_ago))
    return _Simulation(plan, staff, team_tz, defaults, start, end, salt).run()
