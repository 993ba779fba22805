"""Benchmark data: canonical NDJSON event files (docs/events.md) of a given size, plus a catalog.

    python bench/generate.py --size S|M|L|XS [--out DIR] [--seed N] [--workers N]

S is the sample organisation of `pitwall demo` (sampleorg) for a fixed anchor date. XS, M and L
are a synthetic organisation of the size named in SIZES: teams of ten services (nested in
departments), one repository per service except every twentieth, a monorepo holding three
services under `services/<id>`; a year of history ending at END per repository: a linear main
line of squash and merge-commit pull requests (with branch commits, reviews, drafts, abandoned
and open ones) and a few direct commits, production deployments of the main head (failed
attempts, changes that fail and are rolled back or cause an incident, hotfix and revert pull
requests), incidents (attributed by deployment, by sha, by time window, unattributed, a few
open) and a CI run per deployment. Deployments never list their commits: the derive step walks
the commit graph. Totals of services, deployments, commits and incidents are exact.

The output (DIR/*.ndjson, DIR/catalog/, DIR/scorecards/, DIR/manifest.json) is written to
DIR.partial and renamed when complete; a DIR whose manifest matches the size, seed and this
generator's code is reused as it is. Deterministic for a seed. Repositories are generated in
chunks by a process pool, each chunk streaming to its own files.
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import os
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data-samples"
CACHE = Path("/tmp/pitwall-bench")
END = datetime(2026, 11, 1, tzinfo=UTC)  # the history ends here (exclusive); queries end here too
DAYS = 365
DEFAULT_SEED = 9
ORG = "bench"
KINDS = ("commit", "pull_request", "review", "deployment", "incident", "pipeline_run")


@dataclass(frozen=True)
class Size:
    """Exact totals of one synthetic size; `team_size` services per team."""

    services: int
    deployments: int
    commits: int
    incidents: int
    team_size: int = 10


SIZES: dict[str, Size] = {
    "XS": Size(services=8, deployments=400, commits=4_000, incidents=40, team_size=2),
    "M": Size(services=1_000, deployments=200_000, commits=2_000_000, incidents=20_000),
    "L": Size(services=2_000, deployments=1_000_000, commits=10_000_000, incidents=100_000),
}
CHOICES = ("XS", "S", "M", "L")


@dataclass(frozen=True)
class Profile:
    """How a service ships: its share of the work, pull-request hours, failure and recovery."""

    name: str
    weight: float
    pr_hours: tuple[float, float]
    failure_rate: float
    recovery_hours: tuple[float, float]


PROFILES = (
    Profile("elite", 4.0, (0.5, 8.0), 0.04, (0.1, 1.0)),
    Profile("high", 2.0, (4.0, 48.0), 0.08, (1.0, 12.0)),
    Profile("medium", 1.0, (24.0, 240.0), 0.12, (12.0, 96.0)),
    Profile("low", 0.3, (72.0, 480.0), 0.25, (48.0, 240.0)),
)
PROFILE_MIX = (0, 0, 1, 1, 1, 2, 2, 2, 3, 3)  # service i has profile PROFILE_MIX[i * 7 % 10]

ATTEMPT_RATE = 0.04      # deployment slots that are a failed, errored or cancelled attempt
ROLLBACK_SHARE = 0.4     # failed changes answered by a rollback (the rest: an incident)
DIRECT_SHARE = 0.03      # main-line commits pushed without a pull request
ABANDONED_SHARE = 0.03   # pull requests closed without merging (open when recent)
SQUASH_SHARE = 0.6       # the rest merge with a merge commit
DRAFT_SHARE = 0.1
CI_FAILURE_RATE = 0.08
PEOPLE_PER_TEAM = 8
VERBS = ("Add", "Fix", "Refactor", "Speed up", "Remove", "Rename", "Document", "Test", "Retry", "Cache")
NOUNS = ("checkout flow", "retry logic", "config loader", "metrics", "auth middleware", "schema",
         "rate limiter", "error pages", "batch job", "client timeout", "feature flag", "logging")


# --- the organisation ------------------------------------------------------------------------

@dataclass(frozen=True)
class RepoPlan:
    """A repository and the services (index, quota of deployments, commits, incidents) in it."""

    index: int
    id: str
    services: tuple[int, ...]
    monorepo: bool


def service_id(index: int) -> str:
    return f"svc-{index:04d}"


def team_of(index: int, size: Size) -> str:
    return f"team-{index // size.team_size:03d}"


def profile_of(index: int) -> Profile:
    return PROFILES[PROFILE_MIX[index * 7 % 10]]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainders get the rest)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def repo_plans(size: Size) -> list[RepoPlan]:
    """Services in order, one repository each, except every twentieth repository: a monorepo of three."""
    plans, service = [], 0
    while service < size.services:
        index = len(plans)
        members = tuple(range(service, min(service + (3 if index % 20 == 3 else 1), size.services)))
        monorepo = len(members) > 1
        name = f"{ORG}/mono-{index:04d}" if monorepo else f"{ORG}/{service_id(members[0])}"
        plans.append(RepoPlan(index, name, members, monorepo))
        service += len(members)
    return plans


def organisation_lines(size: Size, plans: list[RepoPlan]) -> list[str]:
    """Team, service and repository records."""
    teams = sorted({team_of(i, size) for i in range(size.services)})
    departments = sorted({f"dept-{int(t[5:]) // 10:02d}" for t in teams})
    lines = [json.dumps({"type": "team", "id": d, "name": f"Department {d[5:]}"}) for d in departments]
    lines += [json.dumps({"type": "team", "id": t, "name": f"Team {t[5:]}", "parent": f"dept-{int(t[5:]) // 10:02d}"})
              for t in teams]
    for plan in plans:
        lines.append(json.dumps({"type": "repo", "id": plan.id, "provider": "github", "default_branch": "main",
                                 "url": f"https://github.com/{plan.id}"}))
        for index in plan.services:
            link = {"repo": plan.id, "path": f"services/{service_id(index)}"} if plan.monorepo else {"repo": plan.id}
            lines.append(json.dumps({
                "type": "service", "id": service_id(index), "name": f"Service {index}", "team": team_of(index, size),
                "lifecycle": "production", "tier": str(1 + index % 3), "repos": [link],
                "annotations": {"bench/profile": profile_of(index).name}}))
    return lines


# --- fast text ---------------------------------------------------------------------------------

START = int((END - timedelta(days=DAYS)).timestamp())
STOP = int(END.timestamp())
_DAY0 = START // 86400
_DATES = [(date(1970, 1, 1) + timedelta(days=d)).isoformat() for d in range(_DAY0 - 40, _DAY0 + DAYS + 40)]


def stamp(t: float) -> str:
    """An epoch second as an ISO 8601 UTC timestamp."""
    seconds = int(t)
    day, rest = divmod(seconds, 86400)
    return f"{_DATES[day - _DAY0 + 40]}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}Z"


_SHA_MUL = 0x9E3779B97F4A7C15F39CC0605CEDC8341082276B  # odd: n -> n * MUL mod 2**160 is a bijection
_SHA_MASK = (1 << 160) - 1


def sha(repo: int, seq: int) -> str:
    """A unique, random-looking 40-hex commit hash for the repository's seq-th commit."""
    return f"{((repo << 40 | seq) * _SHA_MUL) & _SHA_MASK:040x}"


def loguniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


# --- one repository's history ------------------------------------------------------------------

@dataclass
class Unit:
    """One main-line commit: a pull request's squash or merge commit, or a direct push."""

    at: float
    kind: str            # squash | merge | direct
    branch: int = 0      # branch commits of its pull request
    mark: str = ""       # "hotfix" or "revert" (rework), set by the deployments


class RepoWriter:
    """Simulates one repository and writes its records to the chunk's files, kind by kind."""

    def __init__(self, plan: RepoPlan, quotas: dict[int, tuple[int, int, int]], size: Size, seed: int,
                 out: dict[str, IO[str]], counts: Counter):
        self.plan, self.size, self.out, self.counts = plan, size, out, counts
        self.rng = random.Random(f"{seed}:{plan.id}")
        self.quotas = quotas
        self.commit_seq = 0
        team = team_of(plan.services[0], size)
        self.people = [f"{team}-dev{k}" for k in range(PEOPLE_PER_TEAM)]
        self.profile = profile_of(plan.services[0])

    def emit(self, kind: str, line: str) -> None:
        self.out[kind].write(line)
        self.counts[kind] += 1

    def next_sha(self) -> str:
        self.commit_seq += 1
        return sha(self.plan.index, self.commit_seq)

    def author(self) -> str:
        if self.rng.random() < 0.05:
            return f"team-{self.rng.randrange(max(1, self.size.services // self.size.team_size)):03d}-dev0"
        return self.rng.choice(self.people)

    def title(self) -> str:
        return f"{self.rng.choice(VERBS)} {self.rng.choice(NOUNS)}"

    def run(self) -> None:
        commits = sum(q[1] for q in self.quotas.values())
        units, abandoned = self.plan_units(commits)
        main = [u.at for u in units]
        shas = self.write_deployments_and_incidents(units, main)
        self.write_commits_and_pull_requests(units, shas, abandoned)

    def plan_units(self, budget: int) -> tuple[list[Unit], dict[int, list[int]]]:
        """Main-line units spending the commit budget exactly, and the abandoned pull requests
        (the branch commits of each), by the index of the unit they follow."""
        rng, units = self.rng, []
        abandoned: dict[int, list[int]] = {}
        while budget > 0:
            if budget == 1 or rng.random() < DIRECT_SHARE:
                units.append(Unit(0.0, "direct"))
                budget -= 1
                continue
            branch = min(rng.randint(1, 4), budget - 1)
            if rng.random() < ABANDONED_SHARE and units:
                abandoned.setdefault(len(units) - 1, []).append(branch)
            else:
                units.append(Unit(0.0, "squash" if rng.random() < SQUASH_SHARE else "merge", branch))
                budget -= 1
            budget -= branch
        step = (STOP - START - 3600) / max(1, len(units))
        for k, unit in enumerate(units):
            unit.at = START + (k + rng.random()) * step
        return units, abandoned

    def write_deployments_and_incidents(self, units: list[Unit], main: list[float]) -> list[str]:
        """Each service's deployments of the main head and its incidents; returns the main shas
        (assigned here so deployments can name them before the commits are written)."""
        shas = [sha(self.plan.index, 1 + k) for k in range(len(units))]
        self.commit_seq = len(units)
        for index in self.plan.services:
            deployments, _, incidents = self.quotas[index]
            self.deploy_service(index, deployments, incidents, units, main, shas)
        return shas

    def deploy_service(self, index: int, slots: int, incident_budget: int, units: list[Unit],
                       main: list[float], shas: list[str]) -> None:
        rng, plan, profile = self.rng, self.plan, profile_of(index)
        service = service_id(index)
        named = f',"service":"{service}"' if plan.monorepo else ""
        first = main[0] + 1800 if main else START
        step = (STOP - first - 60) / max(1, slots)
        times = [first + (k + rng.random()) * step for k in range(slots)]
        successes: list[str] = []
        rollback_to: tuple[str, float] | None = None
        incidents: list[tuple[float, str, str]] = []   # started, deployment id, sha
        deploy_prefix = f"{plan.id}/deployments/{service}-" if plan.monorepo else f"{plan.id}/deployments/"
        for k, at in enumerate(times):
            deployment = f"{deploy_prefix}{k + 1}"
            head = bisect.bisect_left(main, at - 900) - 1
            if head < 0:
                head = 0
            rollback = rollback_to is not None
            if rollback_to is not None:
                target, at = rollback_to[0], min(at, rollback_to[1])
                rollback_to = None
                status = "success"
            else:
                target = shas[head]
                status = "success"
                if rng.random() < ATTEMPT_RATE:
                    status = rng.choice(("failure", "failure", "error", "cancelled"))
            started = at - rng.uniform(120, 900)
            self.emit("deployment", f'{{"type":"deployment","id":"{deployment}","repo":"{plan.id}",'
                      f'"environment":"production","sha":"{target}","status":"{status}",'
                      f'"finished_at":"{stamp(at)}"{named},"started_at":"{stamp(started)}"}}\n')
            if status != "success":
                continue
            self.write_ci_run(deployment, target, started)
            failed = not rollback and successes and successes[-1] != target and rng.random() < profile.failure_rate
            successes.append(target)
            if not failed:
                continue
            recovery = loguniform(rng, *profile.recovery_hours) * 3600
            fix = bisect.bisect_right(main, at)
            if (rng.random() < ROLLBACK_SHARE or len(incidents) >= incident_budget) and k + 1 < slots:
                earlier = next((s for s in reversed(successes) if s != target), None)
                if earlier is not None:
                    rollback_to = (earlier, at + recovery)
                    self.mark(units, fix, "revert")
                    continue
            if len(incidents) < incident_budget:
                incidents.append((at + rng.uniform(300, 6 * 3600), deployment, target))
                self.mark(units, fix, "hotfix")
        self.write_incidents(service, incident_budget, incidents, profile)

    @staticmethod
    def mark(units: list[Unit], index: int, mark: str) -> None:
        """The first pull request merged after a failure fixes it (rework)."""
        for unit in units[index: index + 5]:
            if unit.kind != "direct" and not unit.mark:
                unit.mark = mark
                return

    def write_ci_run(self, deployment: str, target: str, started: float) -> None:
        rng, repo = self.rng, self.plan.id
        begin = started - rng.uniform(600, 1800)
        attempt = 1
        while True:
            status = "failure" if attempt == 1 and rng.random() < CI_FAILURE_RATE else "success"
            end = begin + rng.uniform(180, 900)
            self.emit("pipeline_run", f'{{"type":"pipeline_run","id":"{deployment}/ci/{attempt}","repo":"{repo}",'
                      f'"workflow":"ci","status":"{status}","started_at":"{stamp(begin)}","sha":"{target}",'
                      f'"branch":"main","event":"push","finished_at":"{stamp(end)}","attempt":{attempt}}}\n')
            if status == "success":
                return
            attempt, begin = attempt + 1, end + 60

    def write_incidents(self, service: str, budget: int, caused: list[tuple[float, str, str]],
                        profile: Profile) -> None:
        """Incidents of failed deployments (by deployment, by sha or by time), then unrelated ones
        up to the budget (a tenth without a service: unattributed); recent ones may be open."""
        rng, repo = self.rng, self.plan.id
        rows = [(started, f'"caused_by":{{"deployment":"{dep}"}},' if (r := rng.random()) < 0.4
                 else f'"caused_by":{{"sha":"{target}"}},' if r < 0.7 else "", True)
                for started, dep, target in caused]
        rows += [(rng.uniform(START, STOP - 3600), "", rng.random() >= 0.1) for _ in range(budget - len(caused))]
        rows.sort()
        for k, (started, cause, with_service) in enumerate(rows, start=1):
            started = min(started, STOP - 600)
            resolved = started + loguniform(rng, *profile.recovery_hours) * 3600
            is_open = resolved >= STOP or (started > STOP - 14 * 86400 and rng.random() < 0.3)
            where = f'"service":"{service}","repo":"{repo}",' if with_service else ""
            closing = "" if is_open else f'"resolved_at":"{stamp(resolved)}",'
            severity = "sev1" if rng.random() < 0.1 else rng.choice(("sev2", "sev3", "sev3"))
            self.emit("incident", f'{{"type":"incident","id":"{service}-INC-{k}","started_at":"{stamp(started)}",'
                      f'{closing}{where}{cause}"title":"{self.title()} degraded","severity":"{severity}"}}\n')

    def write_commits_and_pull_requests(self, units: list[Unit], shas: list[str],
                                        abandoned: dict[int, list[int]]) -> None:
        rng = self.rng
        number = 0
        for k, unit in enumerate(units):
            parents = f'"{shas[k - 1]}"' if k else ""
            base = shas[max(0, k - 1 - rng.randint(0, 3))] if k else None
            if unit.kind == "direct":
                self.write_commit(shas[k], unit.at, unit.at, parents, None, "Bump version", None)
            else:
                number += 1
                self.write_pull_request(number, unit, shas[k], parents, base, merged=True)
            for branch in abandoned.get(k, ()):
                number += 1
                self.write_pull_request(number, Unit(unit.at, "squash", branch), None, "", shas[k], merged=False)

    def write_pull_request(self, number: int, unit: Unit, merge_sha: str | None, parents: str,
                           base: str | None, merged: bool) -> None:
        rng, repo = self.rng, self.plan.id
        pr = f"{repo}#{number}"
        hours = loguniform(rng, *self.profile.pr_hours) * (0.3 if unit.mark else 1.0)
        created = unit.at - hours * 3600
        author = self.author()
        title = self.title()
        if unit.mark == "revert":
            title = f'Revert "{title}"'
        files = self.files(number)
        tip = base
        for j in range(unit.branch):
            branch_sha = self.next_sha()
            at = created + (j + rng.random()) * (unit.at - created) * 0.8 / unit.branch
            self.write_commit(branch_sha, at, at, f'"{tip}"' if tip else "", pr, title if j == 0 else "Address review",
                              files, author)
            tip = branch_sha
        if merged:
            first_at = created if unit.branch else unit.at
            if unit.kind == "squash":
                self.write_commit(merge_sha, first_at, unit.at, parents, pr, f"{title} (#{number})", files, author)
            else:
                both = f"{parents},\"{tip}\"" if parents and tip else parents or (f'"{tip}"' if tip else "")
                self.write_commit(merge_sha, unit.at, unit.at, both, None,
                                  f"Merge pull request #{number} from {ORG}/change-{number}\n\n{title}", None, author)
        ready = created + (rng.uniform(1800, 6 * 3600) if rng.random() < DRAFT_SHARE else 0)
        ready = min(ready, unit.at - 60)
        closed_at = unit.at if merged else created + hours * 3600 * 2
        is_open = not merged and closed_at >= STOP
        fields = [f'"type":"pull_request","id":"{pr}","repo":"{repo}","number":{number},"author":"{author}"',
                  f'"created_at":"{stamp(created)}","title":{json.dumps(title)},"ready_at":"{stamp(ready)}"']
        if merged:
            fields.append(f'"merged_at":"{stamp(unit.at)}","closed_at":"{stamp(unit.at)}","merge_commit_sha":"{merge_sha}"')
        elif not is_open:
            fields.append(f'"closed_at":"{stamp(closed_at)}"')
        labels = f'["{unit.mark}"]' if unit.mark else "[]"
        fields.append(f'"base_branch":"main","additions":{rng.randint(1, 400)},"deletions":{rng.randint(0, 200)},'
                      f'"labels":{labels},"draft":false')
        self.emit("pull_request", "{" + ",".join(fields) + "}\n")
        self.write_reviews(pr, author, created, min(unit.at, STOP - 1))

    def write_reviews(self, pr: str, author: str, created: float, until: float) -> None:
        rng = self.rng
        r = rng.random()
        count = 0 if r < 0.2 else 1 if r < 0.8 else 2 if r < 0.95 else 3
        for j in range(1, count + 1):
            state = ("approved" if j == count else
                     "changes_requested" if rng.random() < 0.5 else "commented")
            reviewer = rng.choice(self.people)
            if reviewer == author:
                reviewer = self.people[(self.people.index(reviewer) + 1) % PEOPLE_PER_TEAM]
            at = created + (until - created) * (j - rng.random() * 0.5) / (count + 0.5)
            self.emit("review", f'{{"type":"review","id":"{pr}/reviews/{j}","pull_request":"{pr}",'
                      f'"reviewer":"{reviewer}","state":"{state}","submitted_at":"{stamp(at)}"}}\n')

    def files(self, number: int) -> str | None:
        """Monorepo changes touch one service's folder (path-based attribution)."""
        if not self.plan.monorepo:
            return None
        owner = self.plan.services[number % len(self.plan.services)]
        return f'["services/{service_id(owner)}/src/change_{number}.py"]'

    def write_commit(self, commit: str, authored: float, committed: float, parents: str, pr: str | None,
                     message: str, files: str | None, author: str | None = None) -> None:
        linked = f'"pull_request":"{pr}",' if pr else ""
        changed = f',"files":{files}' if files else ""
        self.emit("commit", f'{{"type":"commit","repo":"{self.plan.id}","sha":"{commit}",'
                  f'"authored_at":"{stamp(authored)}","committed_at":"{stamp(committed)}",'
                  f'"author":"{author or self.rng.choice(self.people)}","parents":[{parents}],{linked}'
                  f'"message":{json.dumps(message)}{changed}}}\n')


def write_chunk(task: tuple[str, int, int, list[RepoPlan], str]) -> Counter:
    """Generate a chunk of repositories into DIR/<kind>-<chunk>.ndjson; returns records per kind."""
    size_name, seed, chunk, plans, folder = task
    size = SIZES[size_name]
    quotas = service_quotas(size)
    counts: Counter = Counter()
    handles = {kind: open(Path(folder) / f"{kind}-{chunk:03d}.ndjson", "w", encoding="utf-8",
                          buffering=1 << 20) for kind in KINDS}
    try:
        for plan in plans:
            RepoWriter(plan, {i: quotas[i] for i in plan.services}, size, seed, handles, counts).run()
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def service_quotas(size: Size) -> list[tuple[int, int, int]]:
    """(deployments, commits, incidents) of each service: by profile weight, exact totals."""
    weights = [profile_of(i).weight for i in range(size.services)]
    return list(zip(allocate(size.deployments, weights), allocate(size.commits, weights),
                    allocate(size.incidents, [1.0] * size.services)))


# --- catalog -----------------------------------------------------------------------------------

def catalog_text(size: Size, plans: list[RepoPlan], department: str) -> str:
    """Backstage entities of one department: its Group, its teams' Groups, their services."""
    docs = [f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {department}\n"
            f"spec:\n  type: department\n  children: []\n"]
    teams = sorted({team_of(i, size) for i in range(size.services) if int(team_of(i, size)[5:]) // 10 ==
                    int(department[5:])})
    for team in teams:
        docs.append(f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {team}\n"
                    f"spec:\n  type: team\n  profile:\n    displayName: Team {team[5:]}\n"
                    f"  parent: group:default/{department}\n  children: []\n")
    for plan in plans:
        for index in plan.services:
            if team_of(index, size) in teams:
                docs.append(component(index, plan, size))
    return "---\n".join(docs)


def component(index: int, plan: RepoPlan, size: Size) -> str:
    """A service Component with a mix of the annotations and fields the sample scorecards check."""
    svc = service_id(index)
    path = f"services/{svc}/" if plan.monorepo else ""
    annotations = [f"github.com/project-slug: {plan.id}",
                   f"backstage.io/source-location: url:https://github.com/{plan.id}/tree/main/{path}"]
    if index % 5:
        annotations.append(f"pagerduty.com/service-id: P{index:06d}")
    if index % 2:
        annotations.append("backstage.io/techdocs-ref: dir:.")
    if index % 3:
        template = ("go-service", "python-service", "java-service-v1")[index % 3 + index % 2 - 1]
        annotations.append(f"backstage.io/source-template: template:default/{template}")
    if index % 11 == 0:
        annotations.append("acme.example/manual-deploy: 'true'")
    lifecycle = ("production",) * 8 + ("experimental", "deprecated")
    lines = ["apiVersion: backstage.io/v1alpha1", "kind: Component", "metadata:", f"  name: {svc}",
             f"  title: Service {index}"]
    if index % 10 != 7:
        lines.append(f"  description: Benchmark service {index}.")
    lines.append(f"  tags: [{'golden-path, ' if index % 4 == 0 else ''}{profile_of(index).name}]")
    lines.append("  annotations:")
    lines += [f"    {a}" for a in annotations]
    lines += ["spec:", "  type: service", f"  lifecycle: {lifecycle[index % 10]}"]
    if index % 50 != 13:
        lines.append(f"  owner: group:default/{team_of(index, size)}")
    if index % 3 != 2:
        lines.append(f"  system: system-{team_of(index, size)[5:]}")
    return "\n".join(lines) + "\n"


def write_catalog(size: Size, plans: list[RepoPlan], folder: Path) -> None:
    departments = sorted({f"dept-{int(team_of(i, size)[5:]) // 10:02d}" for i in range(size.services)})
    for department in departments:
        target = folder / "catalog" / department
        target.mkdir(parents=True)
        (target / "catalog-info.yaml").write_text(catalog_text(size, plans, department), encoding="utf-8")


# --- sizes -------------------------------------------------------------------------------------

def generate_synthetic(size_name: str, seed: int, folder: Path, workers: int) -> Counter:
    size = SIZES[size_name]
    plans = repo_plans(size)
    org = organisation_lines(size, plans)
    (folder / "organisation.ndjson").write_text("\n".join(org) + "\n", encoding="utf-8")
    counts = Counter(json.loads(line)["type"] for line in org)
    chunks = max(1, min(len(plans), size.services // 125))
    tasks = [(size_name, seed, c, plans[c::chunks], str(folder)) for c in range(chunks)]
    if workers > 1 and chunks > 1:
        with Pool(min(workers, chunks)) as pool:
            for part in pool.imap_unordered(write_chunk, tasks):
                counts.update(part)
    else:
        for task in tasks:
            counts.update(write_chunk(task))
    write_catalog(size, plans, folder)
    return counts


def generate_sample(folder: Path) -> Counter:
    """S: the sample organisation (source "demo") for END's date, with its catalog."""
    from sampleorg.generate import generate, write_ndjson

    events = generate(END.date())
    with (folder / "sample-organisation.ndjson").open("w", encoding="utf-8") as handle:
        write_ndjson(events, handle)
    shutil.copytree(SAMPLES / "catalog", folder / "catalog")
    return Counter(event["type"] for event in events)


def copy_scorecards(folder: Path, keep_exemptions: bool) -> None:
    """The three sample scorecards; their exemptions name sample services, so the synthetic
    sizes drop them (an exemption for a missing service is a warning on every evaluation)."""
    folder.mkdir()
    for spec in sorted((SAMPLES / "scorecards").glob("*.yaml")):
        text = spec.read_text(encoding="utf-8")
        if not keep_exemptions:
            text = text.split("\nexemptions:", 1)[0] + "\n"
        (folder / spec.name).write_text(text, encoding="utf-8")


def code_version() -> str:
    """Changes when this generator changes (a cached data set of an older generator is redone)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def default_folder(size: str, seed: int) -> Path:
    return CACHE / (size if seed == DEFAULT_SEED else f"{size}-seed{seed}")


def cached(folder: Path, size: str, seed: int) -> dict | None:
    """The manifest of a complete data set of this size, seed and generator, else None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    wanted = {"size": size, "seed": seed, "generator": code_version()}
    return manifest if all(manifest.get(k) == v for k, v in wanted.items()) else None


def ensure(size: str, folder: Path | None = None, seed: int = DEFAULT_SEED, workers: int = 2) -> dict:
    """Generate the data set into `folder` unless a complete one is there; returns its manifest."""
    folder = folder or default_folder(size, seed)
    manifest = cached(folder, size, seed)
    if manifest is not None:
        return manifest
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    began = time.monotonic()
    counts = generate_sample(partial) if size == "S" else generate_synthetic(size, seed, partial, workers)
    copy_scorecards(partial / "scorecards", keep_exemptions=size == "S")
    files = sorted(p.name for p in partial.glob("*.ndjson"))
    manifest = {
        "size": size, "seed": seed, "generator": code_version(), "end": END.date().isoformat(),
        "records": sum(counts.values()), "by_type": dict(sorted(counts.items())), "files": files,
        "bytes": sum((partial / f).stat().st_size for f in files),
        "seconds": round(time.monotonic() - began, 1),
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return manifest


def describe(manifest: dict, folder: Path) -> str:
    kinds = ", ".join(f"{n:,} {t}" for t, n in manifest["by_type"].items())
    return (f"{manifest['size']}: {manifest['records']:,} records ({kinds}) in {len(manifest['files'])} files, "
            f"{manifest['bytes'] / 1e6:,.0f} MB, generated in {manifest['seconds']} s -> {folder}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=CHOICES, required=True)
    parser.add_argument("--out", type=Path, help="output folder (default /tmp/pitwall-bench/<size>)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    folder = args.out or default_folder(args.size, args.seed)
    manifest = ensure(args.size, folder, args.seed, args.workers)
    print(describe(manifest, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
