"""One in-process measurement, run by bench/run.py in a fresh process; prints {"seconds": wall, "cpu": cpu}.

    python bench/probe.py dora DB SINCE UNTIL BY     metrics.dora.dora_table
    python bench/probe.py devex DB SINCE UNTIL BY    metrics.devex.devex_table
    python bench/probe.py scan DB NAME SINCE UNTIL   the floor of a query (SCANS below)
    python bench/probe.py derive DB                  metrics.derive.derive (the commit-graph walk)
    python bench/probe.py overview DB SINCE UNTIL    the dashboard's overview page through AppTest
    python bench/probe.py overview DB SINCE UNTIL cold   the same with no result cache entry (as after a
                                                     new snapshot: dashboard.result_cache)

Only the timed call is inside the clock: imports and opening the warehouse are not.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]

# The floor of each metric query: the rows and columns it cannot avoid reading, read without
# joins or grouping, every column summed or hashed so DuckDB must read it. DORA: the window's
# production deployments, the columns that find the window's changes (and those changes), the
# outcome flags of every deployment. Devex: the pull requests (one row per id; the bot test reads
# the authors of pull_requests), reviews, starts, services and shipped changes the flow reads, and
# the authors and times of every commit and pull request (the new hires).
SCANS = {
    "dora": [
        "SELECT sum(hash(source, id, repo, service, team)), sum(epoch(deployed_at)), count_if(has_baseline)"
        " FROM prod_deployments WHERE deployed_at >= $since AND deployed_at < $until",
        "SELECT sum(hash(source, deployment_id, change_key)), sum(lead_time_seconds) FROM deployment_changes"
        " WHERE epoch(started_at) + lead_time_seconds >= epoch($since) - 86400"
        " AND epoch(started_at) + lead_time_seconds < epoch($until) + 86400",
        "SELECT count_if(failed), count_if(rework), sum(epoch(recovered_at)) FROM deployment_outcomes",
    ],
    "devex": [
        "SELECT sum(hash(source, id, author)), sum(epoch(created_at)), sum(epoch(merged_at)),"
        " sum(epoch(ready_at)), sum(epoch(closed_at)), sum(additions + deletions) FROM unique_pull_requests",
        "SELECT sum(hash(author)), sum(epoch(created_at)) FROM pull_requests",
        "SELECT sum(hash(pull_request, reviewer)), sum(epoch(submitted_at)) FROM reviews",
        "SELECT sum(hash(pull_request)), sum(epoch(first_authored_at)) FROM pull_request_starts",
        "SELECT sum(hash(source, pull_request)) FROM pull_request_services",
        "SELECT sum(hash(author)), sum(epoch(authored_at)) FROM commits",
        "SELECT sum(hash(source, deployment_id, pull_request)) FROM deployment_changes",
        "SELECT sum(hash(source, id)), sum(epoch(deployed_at)) FROM prod_deployments",
    ],
}


def open_warehouse(db: str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """The warehouse as Pitwall opens it (UTC session)."""
    from warehouse import connect

    return connect(db, read_only=read_only)


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (every thread of the process) of one call."""
    began, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - began, time.process_time() - cpu


def dora(db: str, since: str, until: str, by: str) -> tuple[float, float]:
    from metrics.dora import dora_table

    con = open_warehouse(db)
    return timed(lambda: dora_table(con, date.fromisoformat(since), date.fromisoformat(until), by))


def devex(db: str, since: str, until: str, by: str) -> tuple[float, float]:
    from metrics.devex import Scope, devex_table

    con = open_warehouse(db)
    return timed(lambda: devex_table(con, Scope(date.fromisoformat(since), date.fromisoformat(until), by)))


def scan(db: str, name: str, since: str, until: str) -> tuple[float, float]:
    con = open_warehouse(db)
    window = {"since": datetime.fromisoformat(since + "T00:00:00+00:00"),
              "until": datetime.fromisoformat(until + "T00:00:00+00:00")}

    def read_all() -> None:
        for query in SCANS[name]:
            con.execute(query, {k: v for k, v in window.items() if f"${k}" in query}).fetchall()

    return timed(read_all)


def derive(db: str) -> tuple[float, float]:
    from metrics.derive import derive as run_derive

    con = open_warehouse(db, read_only=False)
    return timed(lambda: run_derive(con))


def overview(db: str, since: str, until: str, cache: str = "warm") -> dict[str, float]:
    """The first render in a fresh process (what a new session pays), then a rerun. `cache`: "warm"
    uses the result cache as it is (a process after another one read the same snapshot); "cold"
    an empty one (the first process after a new snapshot)."""
    from streamlit.testing.v1 import AppTest

    os.environ["PITWALL_DB"] = db
    with tempfile.TemporaryDirectory() as empty:
        if cache == "cold":
            from dashboard.result_cache import CACHE_VARIABLE
            os.environ[CACHE_VARIABLE] = empty
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
        app.query_params.update({"since": since, "until": until})
        first, first_cpu = timed(app.run)
        if app.exception:
            raise SystemExit(f"the overview raised: {[e.message for e in app.exception]}")
        rerun, rerun_cpu = timed(app.run)
    return {"seconds": first, "cpu": first_cpu, "rerun_seconds": rerun, "rerun_cpu": rerun_cpu}


PROBES: dict[str, Callable[..., tuple[float, float] | dict[str, float]]] = {
    "dora": dora, "devex": devex, "scan": scan, "derive": derive, "overview": overview,
}


def main(argv: list[str]) -> int:
    result = PROBES[argv[0]](*argv[1:])
    print(json.dumps(result if isinstance(result, dict) else {"seconds": result[0], "cpu": result[1]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
