"""The sample organisation generator (sampleorg): determinism, validity and the features it promises."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT
from ingest.events import import_files, parse_line
from sampleorg.config import DEFAULT_CONFIG, ConfigError, load_config, parse_config
from sampleorg.generate import generate, write_ndjson
from sampleorg.people import build_staff
from warehouse import connect

ANCHOR = date(2026, 6, 30)
END = datetime(2026, 6, 30, tzinfo=UTC)
START = END - timedelta(days=365)
SNAPSHOT = ROOT / "data-samples" / "snapshot.ndjson"
PRODUCTION = {"production", "prod", "prd"}

Event = dict[str, Any]


@pytest.fixture(scope="module")
def events() -> list[Event]:
    """The full demo organisation anchored at 2026-06-30."""
    return generate(ANCHOR)


@pytest.fixture(scope="module")
def by_type(events: list[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        grouped[event["type"]].append(event)
    return grouped


def ndjson(events: list[Event]) -> str:
    out = io.StringIO()
    write_ndjson(events, out)
    return out.getvalue()


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def production_series(deployments: list[Event]) -> dict[str, list[Event]]:
    """Successful production deployments per repository, in deployment order."""
    series: dict[str, list[Event]] = defaultdict(list)
    for d in deployments:
        if d["status"] == "success" and d["environment"].lower() in PRODUCTION:
            series[d["repo"]].append(d)
    return {repo: sorted(items, key=lambda d: when(d["finished_at"])) for repo, items in series.items()}


def commits_by_repo(by_type: dict[str, list[Event]]) -> dict[str, dict[str, Event]]:
    found: dict[str, dict[str, Event]] = defaultdict(dict)
    for c in by_type["commit"]:
        found[c["repo"]][c["sha"]] = c
    return found


def ancestors(commits: dict[str, Event], head: str) -> set[str]:
    """Every sha reachable from `head` through parents (head included)."""
    seen, stack = set(), [head]
    while stack:
        sha = stack.pop()
        if sha not in seen:
            seen.add(sha)
            stack.extend(commits[sha].get("parents", []))
    return seen


# --- determinism ------------------------------------------------------------------------------

def test_the_same_anchor_date_gives_byte_identical_output(events) -> None:
    assert ndjson(generate(ANCHOR)) == ndjson(events)


def test_another_anchor_date_moves_the_history_and_keeps_the_organisation() -> None:
    june = generate(ANCHOR, small=True)
    july = generate(date(2026, 7, 1), small=True)
    structure = {"team", "service", "repo"}
    assert [e for e in june if e["type"] in structure] == [e for e in july if e["type"] in structure]
    assert {e["sha"] for e in june if e["type"] == "commit"}.isdisjoint(
        e["sha"] for e in july if e["type"] == "commit")

    def span(events: list[Event]) -> tuple[datetime, datetime]:
        stamps = [when(e["finished_at"]) for e in events if e["type"] == "deployment"]
        stamps += [when(e["committed_at"]) for e in events if e["type"] == "commit" and e.get("parents")]
        return min(stamps), max(stamps)

    # [small] covers the 30 days before the anchor's midnight (UTC); 30 June 2026 is a Tuesday
    first, last = span(june)
    assert datetime(2026, 5, 31, tzinfo=UTC) <= first and last < END
    first, last = span(july)
    assert datetime(2026, 6, 1, tzinfo=UTC) <= first and END < last < END + timedelta(days=1)


# --- validity and size ------------------------------------------------------------------------

def test_every_record_validates_against_the_canonical_models(events) -> None:
    for event in events:
        record = parse_line(json.dumps(event))
        assert record.source == "demo"


def test_the_organisation_has_8_teams_40_services_and_60_repositories(by_type) -> None:
    assert len(by_type["team"]) == 8
    assert len(by_type["service"]) == 40
    assert len(by_type["repo"]) == 60
    repos = {r["id"] for r in by_type["repo"]}
    assert {c["repo"] for c in by_type["commit"]} == repos
    assert len({d["repo"] for d in by_type["deployment"]}) == 39  # 40 services, two share a monorepo


def test_the_size_stays_within_a_few_hundred_thousand_records(events) -> None:
    assert 50_000 < len(events) < 300_000


def test_the_monorepo_holds_two_services_with_path_prefixes(by_type) -> None:
    links = {s["id"]: s["repos"] for s in by_type["service"] if s["repos"][0]["repo"] == "acme/checkout"}
    assert links == {"checkout-web": [{"repo": "acme/checkout", "path": "services/web"}],
                     "checkout-api": [{"repo": "acme/checkout", "path": "services/api"}]}
    named = Counter(d.get("service") for d in by_type["deployment"] if d["repo"] == "acme/checkout")
    assert set(named) == {"checkout-web", "checkout-api"}
    others = {d.get("service") for d in by_type["deployment"] if d["repo"] != "acme/checkout"}
    assert others == {None}  # single-service repositories map to their service through the repo


def test_every_history_ends_before_the_anchor_and_starts_within_the_year(by_type) -> None:
    stamps = [when(d["finished_at"]) for d in by_type["deployment"]]
    stamps += [when(c["committed_at"]) for c in by_type["commit"] if c.get("parents")]
    assert START <= min(stamps) and max(stamps) < END


def test_timestamps_carry_the_authors_time_zone_offsets(by_type) -> None:
    offsets = Counter(c["authored_at"][19:] for c in by_type["commit"])
    assert {"Z", "+01:00", "-05:00", "+05:30", "-08:00"} <= set(offsets)


# --- the commit graph and pull requests -------------------------------------------------------

def test_commits_form_one_rooted_graph_per_repository(by_type) -> None:
    for repo, commits in commits_by_repo(by_type).items():
        roots = [sha for sha, c in commits.items() if not c.get("parents")]
        assert len(roots) == 1, repo
        for c in commits.values():
            assert all(parent in commits for parent in c.get("parents", [])), (repo, c["sha"])
    known = commits_by_repo(by_type)
    assert all(d["sha"] in known[d["repo"]] for d in by_type["deployment"])
    assert all(p["merge_commit_sha"] in known[p["repo"]] for p in by_type["pull_request"] if "merge_commit_sha" in p)


def test_deployments_rely_on_the_commit_graph(by_type) -> None:
    assert not any("commits" in d for d in by_type["deployment"])


def test_squash_merges_put_one_linked_commit_on_main_and_leave_the_branch_off_it(by_type) -> None:
    commits = commits_by_repo(by_type)
    squashed = 0
    for pr in by_type["pull_request"]:
        repo = commits[pr["repo"]]
        merge = repo.get(pr.get("merge_commit_sha"))
        if merge is None or len(merge["parents"]) != 1:
            continue
        squashed += 1
        assert merge["pull_request"] == pr["id"]
        assert merge["message"] == f"{pr['title']} (#{pr['number']})"
        branch = [c for c in repo.values() if c.get("pull_request") == pr["id"] and c is not merge]
        assert branch and not {c["sha"] for c in branch} & ancestors(repo, merge["sha"])
    assert squashed > 1000


def test_merge_commits_have_two_parents_and_bring_the_branch_in(by_type) -> None:
    commits = commits_by_repo(by_type)
    merged = 0
    for pr in by_type["pull_request"]:
        repo = commits[pr["repo"]]
        merge = repo.get(pr.get("merge_commit_sha"))
        if merge is None or len(merge["parents"]) != 2:
            continue
        merged += 1
        assert "pull_request" not in merge  # known to its pull request by merge_commit_sha only
        assert merge["message"].startswith(f"Merge pull request #{pr['number']} from acme/")
        tip = repo[merge["parents"][1]]
        assert tip["pull_request"] == pr["id"]
        branch = {c["sha"] for c in repo.values() if c.get("pull_request") == pr["id"]}
        assert branch <= ancestors(repo, merge["sha"])
    assert merged > 1000


def test_pull_requests_are_numbered_per_repository_without_duplicates(by_type) -> None:
    numbers = Counter((p["repo"], p["number"]) for p in by_type["pull_request"])
    assert max(numbers.values()) == 1
    assert all(p["id"] == f"{p['repo']}#{p['number']}" for p in by_type["pull_request"])


def test_some_pull_requests_are_still_open_or_were_abandoned(by_type) -> None:
    open_ones = [p for p in by_type["pull_request"] if "closed_at" not in p]
    abandoned = [p for p in by_type["pull_request"] if "closed_at" in p and "merged_at" not in p]
    assert open_ones and abandoned
    assert any(p["draft"] for p in open_ones)


def test_hotfix_and_revert_labels_and_revert_titles_exist(by_type) -> None:
    labels = Counter(label for p in by_type["pull_request"] for label in p.get("labels", []))
    assert labels["hotfix"] > 0 and labels["revert"] > 0
    titles = [p["title"] for p in by_type["pull_request"] if p["title"].startswith('Revert "')]
    unlabelled = [p for p in by_type["pull_request"]
                  if p["title"].startswith('Revert "') and "revert" not in p.get("labels", [])]
    assert titles and unlabelled
    assert any(c["message"].startswith('Revert "') and "pull_request" not in c for c in by_type["commit"])


# --- people -----------------------------------------------------------------------------------

def test_new_hires_first_commit_comes_mid_year(by_type) -> None:
    staff = build_staff(load_config(), ANCHOR)
    first_commit: dict[str, datetime] = {}
    for c in by_type["commit"]:
        at = when(c["authored_at"])
        first_commit[c["author"]] = min(at, first_commit.get(c["author"], at))
    hires = [p for p in staff.people if p.new_hire]
    assert len(hires) == 10
    for person in hires:
        assert person.login in first_commit, person.login
        first = first_commit[person.login].astimezone(UTC).date()
        assert first >= person.joined >= (START + timedelta(days=90)).date()
    for person in staff.people:
        if not person.new_hire:
            assert first_commit[person.login] < START + timedelta(days=30), person.login


def test_reviews_come_from_the_owning_team_and_from_other_teams(by_type) -> None:
    staff = build_staff(load_config(), ANCHOR)
    owner = {s["repos"][0]["repo"]: s["team"] for s in by_type["service"]}
    owner.update({lib.repo: lib.team for lib in load_config().libraries})
    repo_of = {p["id"]: p["repo"] for p in by_type["pull_request"]}
    author_of = {p["id"]: p["author"] for p in by_type["pull_request"]}
    same = Counter(staff.team_of[r["reviewer"]] == owner[repo_of[r["pull_request"]]] for r in by_type["review"])
    assert same[True] > same[False] > 0
    assert all(r["reviewer"] != author_of[r["pull_request"]] for r in by_type["review"])
    assert {r["state"] for r in by_type["review"]} == {"approved", "changes_requested", "commented"}


# --- deployments and incidents ----------------------------------------------------------------

def test_failed_attempts_and_rollbacks_exist(by_type) -> None:
    attempts = Counter(d["status"] for d in by_type["deployment"] if d["environment"] in PRODUCTION)
    assert attempts["failure"] > 0 and attempts["error"] > 0 and attempts["cancelled"] > 0
    rollbacks = 0
    for series in production_series(by_type["deployment"]).values():
        for index in range(1, len(series)):
            earlier = {d["sha"] for d in series[:index - 1]}
            if series[index]["sha"] != series[index - 1]["sha"] and series[index]["sha"] in earlier:
                rollbacks += 1
    assert rollbacks > 10


def test_the_default_window_of_every_service_has_deployments(by_type) -> None:
    """Every service ships within the 90 days before the anchor (repository names = service ids)."""
    since = END - timedelta(days=89)
    recent = {d.get("service") or d["repo"].removeprefix("acme/")
              for series in production_series(by_type["deployment"]).values()
              for d in series if when(d["finished_at"]) >= since}
    assert recent == {s["id"] for s in by_type["service"]}


def test_incidents_name_their_cause_in_every_supported_way(by_type) -> None:
    incidents = by_type["incident"]
    deployments = {d["id"]: d for d in by_type["deployment"]}
    commits = commits_by_repo(by_type)
    by_deployment = [i for i in incidents if "deployment" in i.get("caused_by", {})]
    by_sha = [i for i in incidents if "sha" in i.get("caused_by", {})]
    by_window = [i for i in incidents if "caused_by" not in i and "service" in i]
    unrelated = [i for i in incidents if not {"caused_by", "service", "repo"} & set(i)]
    assert by_deployment and by_sha and by_window and unrelated
    assert all(i["caused_by"]["deployment"] in deployments for i in by_deployment)
    assert all(i["caused_by"]["sha"] in commits[i["repo"]] for i in by_sha)
    assert any("resolved_at" not in i for i in incidents)
    assert all(when(i["resolved_at"]) >= when(i["started_at"]) for i in incidents if "resolved_at" in i)


def test_service_only_incidents_start_after_a_deployment_of_their_service(by_type) -> None:
    """Within 7 days of the service's latest deployment (attributed), or long after (unattributed)."""
    service_repo = {s["id"]: s["repos"][0]["repo"] for s in by_type["service"]}
    series = production_series(by_type["deployment"])
    within = beyond = 0
    for incident in (i for i in by_type["incident"] if "caused_by" not in i and "service" in i):
        started = when(incident["started_at"])
        before = [when(d["finished_at"]) for d in series[service_repo[incident["service"]]]
                  if d.get("service", incident["service"]) == incident["service"] and when(d["finished_at"]) <= started]
        if before and started - max(before) <= timedelta(days=7):
            within += 1
        else:
            beyond += 1
    assert within > 10 and beyond > 0


def test_ci_runs_cover_pull_requests_and_main_with_reruns(by_type) -> None:
    runs = by_type["pipeline_run"]
    assert {r["event"] for r in runs} == {"pull_request", "push"}
    assert {r["attempt"] for r in runs} == {1, 2}
    known = commits_by_repo(by_type)
    assert all(r["sha"] in known[r["repo"]] for r in runs)
    assert len({r["id"] for r in runs}) == len(runs)


# --- configuration ----------------------------------------------------------------------------

def test_profiles_aim_at_all_four_tiers() -> None:
    config = load_config()
    tiers = Counter(s.profile.expected_tier for s in config.services)
    assert set(tiers) == {"elite", "high", "medium", "low"}


def test_an_unknown_team_in_the_configuration_is_named() -> None:
    raw = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    raw["services"][0]["team"] = "nobody"
    with pytest.raises(ConfigError, match=r"^services\.payments-api\.team: unknown team 'nobody'$"):
        parse_config(raw)


def test_a_misspelt_profile_field_is_named() -> None:
    raw = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    raw["profiles"]["high"]["failure_rat"] = 0.5
    with pytest.raises(ConfigError, match=r"^profiles\.high: unknown field\(s\) failure_rat$"):
        parse_config(raw)


def test_a_bad_profile_range_is_named() -> None:
    raw = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    raw["profiles"]["elite"]["pr_hours"] = [8.0, 1.0]
    with pytest.raises(ConfigError, match=r"^profiles\.elite\.pr_hours: expected \[min, max\]"):
        parse_config(raw)


# --- the committed snapshot -------------------------------------------------------------------

def test_the_snapshot_is_what_the_script_prints() -> None:
    result = subprocess.run([sys.executable, "-m", "sampleorg", "--today", "2026-06-30", "--small"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout == SNAPSHOT.read_text(encoding="utf-8")
    assert result.stderr.startswith(f"{len(result.stdout.splitlines())} events: ")


def test_the_snapshot_holds_two_teams_three_services_and_imports_cleanly(tmp_path: Path) -> None:
    events = [json.loads(line) for line in SNAPSHOT.read_text(encoding="utf-8").splitlines()]
    kinds = Counter(e["type"] for e in events)
    assert (kinds["team"], kinds["service"], kinds["repo"]) == (2, 3, 2)
    assert 300 <= len(events) <= 1000
    con = connect(tmp_path / "w.duckdb")
    summary = import_files(con, [SNAPSHOT])
    assert summary.by_type == kinds
    assert con.execute("SELECT count(*) FROM service_repos WHERE path <> ''").fetchone()[0] == 2
