"""Bench: `sync gitlab --group` over a fake group of 50 projects, then a re-sync with nothing new.

    .venv/bin/python bench/gitlab_sync.py [--projects 50] [--mrs 100] [--concurrency 8]

The fake GitLab (tests/fakes/gitlab.py) runs in a child process so the figures are the sync's
own: wall time, requests, peak memory (ru_maxrss of this process) and the re-sync's cost. Each
project has `--mrs` squash-merged merge requests (a branch commit, a comment and an approval), a
production deployment every 10 merge requests, 20 pipelines and 2 incident issues.
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

from fakes.gitlab import TOKEN, FakeGitLab, FakeGitLabServer  # noqa: E402

from ingest.gitlab import GitlabSettings, make_client, sync_gitlab  # noqa: E402
from pitwall.refresh import refresh_derived  # noqa: E402
from warehouse import connect  # noqa: E402

GROUP = "bench"
START = datetime(2024, 1, 1, tzinfo=UTC)


def build_group(projects: int, mrs: int) -> FakeGitLab:
    gitlab = FakeGitLab()
    for index in range(projects):
        project = gitlab.project(f"{GROUP}/service-{index:03d}")
        ids = 1_000_000 * (index + 1)
        project.commit("c0", START)
        project.deployment(ids, "c0", created=START + timedelta(hours=1), finished=START + timedelta(hours=2))
        for n in range(1, mrs + 1):
            moment = START + timedelta(hours=4 * n)
            project.commit(f"b{n}", moment - timedelta(hours=3), [f"c{n - 1}"])
            project.commit(f"c{n}", moment, [f"c{n - 1}"])
            project.merge_request(n, created=moment - timedelta(hours=3), updated=moment, commits=[f"b{n}"],
                                  merged=moment, squash_commit=f"c{n}")
            project.note(n, "rev", moment - timedelta(hours=2), "a comment")
            project.note(n, "rev", moment - timedelta(hours=1), "approved this merge request", system=True)
            if n % 10 == 0:
                project.deployment(ids + n, f"c{n}", created=moment + timedelta(hours=1),
                                   finished=moment + timedelta(hours=1, minutes=5))
        for n in range(20):
            moment = START + timedelta(hours=12 * n)
            project.pipeline(ids + 500_000 + n, "c0", created=moment, finished=moment + timedelta(minutes=9))
        for n in (1, 2):
            moment = START + timedelta(days=5 * n)
            project.incident(n, created=moment, closed=moment + timedelta(hours=3))
    return gitlab


def serve(projects: int, mrs: int, urls: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    with FakeGitLabServer(build_group(projects, mrs)) as server:
        urls.put(server.url)
        stop.wait()


def peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # kilobytes on Linux


def timed_sync(db: Path, url: str, concurrency: int):
    con = connect(db)
    started = time.monotonic()
    with make_client(url, TOKEN, concurrency=concurrency) as client:
        summary = sync_gitlab(con, GitlabSettings(concurrency=concurrency), client, group=GROUP)
    synced = time.monotonic() - started
    refresh_derived(con)
    con.close()
    return summary, synced, time.monotonic() - started - synced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--mrs", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    urls: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.projects, args.mrs, urls, stop), daemon=True)
    server.start()
    url = urls.get(timeout=600)
    print(f"fake group: {args.projects} projects x {args.mrs} merge requests")
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "bench.duckdb"
        try:
            first, first_seconds, derive_seconds = timed_sync(db, url, args.concurrency)
            first_peak = peak_megabytes()
            again, again_seconds, _ = timed_sync(db, url, args.concurrency)
        finally:
            stop.set()
            server.join(timeout=30)
    mrs = args.projects * args.mrs
    print(f"first sync:  {first.stats.requests} requests ({first.stats.requests / mrs:.2f} per merge request), "
          f"{first_seconds:.1f} s, derive {derive_seconds:.1f} s")
    print(f"             records: {dict(sorted(first.records.items()))}")
    print(f"peak memory: {first_peak:.0f} MB after the first sync, {peak_megabytes():.0f} MB at the end")
    print(f"re-sync:     {again.stats.requests} requests ({again.stats.requests / args.projects:.1f} per project), "
          f"{again_seconds:.1f} s, {sum(again.records.values())} records written")


if __name__ == "__main__":
    main()
