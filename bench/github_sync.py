"""Bench: `sync github --org` over a fake organisation, then a re-sync with nothing new.

    .venv/bin/python bench/github_sync.py [--repos 200] [--pulls 300] [--concurrency 8]

The fake GitHub (tests/fakes/github.py) runs in a child process so the figures are the sync's
own: requests per pull request, wall time, peak memory (ru_maxrss of this process) and the cost
of the re-sync. Each repository has `--pulls` squash-merged pull requests (a branch commit, a
review), a deployment every 10 pull requests, 5 issues (2 incidents) and 50 workflow runs.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes.github import TOKEN, FakeGitHub, FakeGitHubServer  # noqa: E402

from ingest.github import GithubSettings, make_client, sync_github  # noqa: E402
from pitwall.refresh import refresh_derived  # noqa: E402
from warehouse import connect  # noqa: E402

ORG = "bench"
START = datetime(2024, 1, 1, tzinfo=UTC)


def build_organisation(repos: int, pulls: int) -> FakeGitHub:
    """The fake organisation: `repos` repositories of `pulls` pull requests each."""
    github = FakeGitHub(rate_limit=10**9)   # GitHub allows 5000 an hour: see the report below
    for index in range(repos):
        repo = github.repo(f"{ORG}/service-{index:03d}")
        ids = 1_000_000 * (index + 1)
        repo.commit("c0", START)
        repo.deployment(ids, "c0", created=START + timedelta(hours=1),
                        statuses=[("success", START + timedelta(hours=2))])
        for n in range(1, pulls + 1):
            moment = START + timedelta(hours=4 * n)
            repo.commit(f"b{n}", moment - timedelta(hours=3), [f"c{n - 1}"])
            repo.commit(f"c{n}", moment, [f"c{n - 1}"], message=f"Change {n} (#{n})")
            repo.pull(n, created=moment - timedelta(hours=2), commits=[f"b{n}"], merged=moment,
                      merge_commit=f"c{n}", reviews=[("APPROVED", moment - timedelta(hours=1))])
            if n % 10 == 0:
                done = moment + timedelta(hours=1)
                repo.deployment(ids + n, f"c{n}", created=done, statuses=[("in_progress", done),
                                                                           ("success", done + timedelta(minutes=5))])
        for n in range(1, 6):
            moment = START + timedelta(days=10 * n)
            repo.issue(pulls + n, created=moment, closed=moment + timedelta(hours=3),
                       labels=["incident"] if n <= 2 else ["bug"])
        for n in range(50):
            moment = START + timedelta(hours=12 * n)
            repo.run(ids + 500_000 + n, created=moment, updated=moment + timedelta(minutes=9))
    return github


def serve(repos: int, pulls: int, urls: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    """Child process: build the organisation and serve it until told to stop."""
    github = build_organisation(repos, pulls)
    with FakeGitHubServer(github) as server:
        urls.put(server.url)
        stop.wait()


def peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # kilobytes on Linux


def timed_sync(db: Path, url: str, concurrency: int, duckdb_memory: str | None):
    """One sync of the organisation: (summary, sync seconds, derive seconds, DuckDB's memory in MB)."""
    settings = GithubSettings(api_url=url, concurrency=concurrency)
    con = connect(db)
    if duckdb_memory:
        con.execute(f"SET memory_limit = '{duckdb_memory}'")
    started = time.monotonic()
    with make_client(settings, TOKEN) as client:
        summary = sync_github(con, settings, client, org=ORG)
    synced = time.monotonic() - started
    refresh_derived(con)
    derived = time.monotonic() - started - synced
    cache = con.execute("SELECT sum(memory_usage_bytes) / 2^20 FROM duckdb_memory()").fetchone()[0]
    con.close()
    return summary, synced, derived, cache


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--pulls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--db", type=Path, help="warehouse file (default: a temporary one)")
    parser.add_argument("--duckdb-memory", help="DuckDB memory_limit, e.g. 256MB (default: DuckDB's, 80%% of RAM)")
    args = parser.parse_args()

    urls: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.repos, args.pulls, urls, stop), daemon=True)
    built = time.monotonic()
    server.start()
    url = urls.get(timeout=1800)
    print(f"fake organisation: {args.repos} repositories x {args.pulls} pull requests "
          f"(built in {time.monotonic() - built:.0f} s)")
    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or Path(scratch) / "bench.duckdb"
        try:
            first, first_seconds, derive_seconds, cache = timed_sync(db, url, args.concurrency, args.duckdb_memory)
            first_peak = peak_megabytes()
            again, again_seconds, _, _ = timed_sync(db, url, args.concurrency, args.duckdb_memory)
        finally:
            stop.set()
            server.join(timeout=30)
        size = sum(path.stat().st_size for path in db.parent.glob(db.name + "*")) / 2**20
    pulls = args.repos * args.pulls
    print(f"first sync:  {first.stats.requests} requests, {first.stats.requests / pulls:.2f} per pull request, "
          f"{first_seconds:.1f} s ({pulls / first_seconds:.0f} pull requests/s), derive {derive_seconds:.1f} s")
    print(f"             records: {dict(sorted(first.records.items()))}")
    print(f"peak memory: {first_peak:.0f} MB after the first sync, {peak_megabytes():.0f} MB at the end; "
          f"DuckDB held {cache:.0f} MB of it after the first sync (warehouse file {size:.0f} MB)")
    print(f"re-sync:     {again.stats.requests} requests ({again.stats.not_modified} answered 304, "
          f"{again.stats.requests / args.repos:.1f} per repository), {again_seconds:.1f} s, "
          f"{sum(again.records.values())} records written")


if __name__ == "__main__":
    main()
