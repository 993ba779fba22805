"""The whole sample organisation for an anchor date, as canonical event dicts."""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import IO, Any

from sampleorg import records
from sampleorg.ci import pipeline_runs
from sampleorg.clock import midnight
from sampleorg.config import OrgConfig, load_config
from sampleorg.history import RepoHistory, RepoPlan, simulate_repo
from sampleorg.incidents import number_incidents, unrelated_incidents
from sampleorg.people import build_staff

__all__ = ["generate", "repo_plans", "simulate", "write_ndjson"]


def repo_plans(config: OrgConfig) -> list[RepoPlan]:
    """Every repository with its owning team and the services that deploy from it."""
    teams = {t.id: t for t in config.teams}
    plans = []
    for repo_id in config.repo_ids():
        services = tuple(s for s in config.services if s.deploy_repo == repo_id)
        library = next((lib for lib in config.libraries if lib.repo == repo_id), None)
        owner = services[0].team if services else library.team
        style = services[0].merge_style if services else library.merge_style
        launched = [s.launched_days_ago for s in services]
        plans.append(RepoPlan(repo_id, teams[owner], services, style,
                              config.defaults.library_prs_per_weekday, config.defaults.library_pr_hours,
                              max(launched) if launched and None not in launched else None))
    return plans


def simulate(config: OrgConfig, today: date) -> list[RepoHistory]:
    """Each repository's history over `config.days` days ending at `today` 00:00 UTC."""
    end = midnight(today)
    start = end - timedelta(days=config.days)
    salt = f"{config.seed}:{today.isoformat()}"
    staff = build_staff(config, today)
    team_tz = {t.id: t.utc_offset for t in config.teams}
    return [simulate_repo(plan, staff, team_tz, config.defaults, start, end, salt)
            for plan in repo_plans(config)]


def generate(today: date, *, small: bool = False, config: OrgConfig | None = None) -> list[dict[str, Any]]:
    """Canonical events of the organisation, deterministic for `today` (the anchor date).

    The history covers the `days` days before `today` (the anchor day itself is not simulated,
    so nothing lies in the future when the demo runs during that day). Every record has
    source "demo".
    """
    config = config or load_config()
    if small:
        config = config.small()
    end = midnight(today)
    start = end - timedelta(days=config.days)
    salt = f"{config.seed}:{today.isoformat()}"
    histories = simulate(config, today)
    service_paths = {s.id: link.path.strip("/") for s in config.services for link in s.repos if link.path}
    out = records.organisation(config)
    for history in histories:
        out += [records.commit(c, config.github_org, service_paths) for c in history.commits]
        out += [records.pull_request(pr, end) for pr in history.pull_requests]
        out += [review for pr in history.pull_requests for review in records.reviews(pr, end)]
        out += [records.deployment(d) for d in history.deployments]
        out += [records.pipeline_run(r) for r in pipeline_runs(history, config.defaults.ci_failure_rate, end, salt)]
    attributed = [i for h in histories for i in h.incidents]
    incidents = number_incidents(attributed + unrelated_incidents(histories, start, end, salt))
    out += [records.incident(i) for i in incidents]
    return out


def write_ndjson(events: Iterable[dict[str, Any]], handle: IO[str]) -> int:
    """Write one compact JSON object per line; returns the number of lines."""
    count = 0
    for event in events:
        handle.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
        handle.write("\n")
        count += 1
    return count
