"""The dashboard's figures kept on disk between processes (dashboard.result_cache): keyed by the
read snapshot, so neither a new snapshot nor a warehouse written since its snapshot is served an
old entry; a folder others may write is not used; an unreadable entry is recomputed. And the
overview shows the same figures from an entry."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.result_cache import CACHE_VARIABLE, cached_read
from helpers import (
    ROOT,
    SINCE,
    UNTIL,
    add_checkout_deployment,
    small_org_events,
    warehouse_file,
)


@pytest.fixture
def small_org(tmp_path: Path) -> Path:
    return warehouse_file(tmp_path, small_org_events())


class Counted:
    """A computation that counts its calls and returns the number of production deployments."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, con) -> int:
        self.calls += 1
        return con.execute("SELECT count(*) FROM prod_deployments").fetchone()[0]


def read(db: Path, compute: Counted, arguments: tuple = ("a",)) -> int:
    """`compute` through the disk cache of warehouse `db`."""
    return cached_read(str(db), "test", arguments, compute)




def test_a_second_process_reads_the_entry_and_a_new_snapshot_computes_again(small_org):
    compute = Counted()
    # small_org_events: d0 and s0 (February), d1, d2, s1, s2 (March) -> 6 production deployments
    assert read(small_org, compute) == 6             # publishes the first snapshot: nothing named it before
    assert read(small_org, compute) == 6             # kept under that snapshot
    assert read(small_org, compute) == 6
    assert compute.calls == 2
    assert read(small_org, compute, ("b",)) == 6     # other arguments: another entry
    assert compute.calls == 3
    add_checkout_deployment(small_org)
    assert read(small_org, compute) == 7             # d3: written after the snapshot, published now
    assert read(small_org, compute) == 7
    assert compute.calls == 5
    assert read(small_org, compute) == 7
    assert compute.calls == 5
    assert len(list(Path(str(small_org) + ".cache").glob("*.pickle"))) == 3


def test_a_folder_others_may_write_is_not_used(small_org, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(CACHE_VARIABLE, str(shared))
    compute = Counted()
    assert read(small_org, compute) == 6
    assert read(small_org, compute) == 6
    assert compute.calls == 2
    assert list(shared.iterdir()) == []


def test_an_unreadable_entry_is_computed_again(small_org):
    compute = Counted()
    read(small_org, compute)
    read(small_org, compute)
    [entry] = Path(str(small_org) + ".cache").glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert read(small_org, compute) == 6
    assert compute.calls == 3
    assert read(small_org, compute) == 6             # rewritten whole
    assert compute.calls == 3


def overview_metrics(db: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every metric the overview shows (label -> value) for March 2024, from a fresh page cache."""
    from dashboard.overview_data import load_overview

    load_overview.clear()   # the process's own cache: only the disk may answer
    monkeypatch.setenv("PITWALL_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.query_params.update({"since": SINCE.isoformat(), "until": UNTIL.isoformat()})
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return {metric.label: metric.value for metric in app.metric}


def test_the_overview_shows_the_same_figures_from_an_entry_and_new_ones_after_a_new_snapshot(small_org, monkeypatch):
    computed = overview_metrics(small_org, monkeypatch)   # publishes the first snapshot
    assert overview_metrics(small_org, monkeypatch) == computed
    assert computed["Deployment frequency"] == "1.00/wk"         # test_dashboard_app: 4 in 4 weeks
    entries = list(Path(str(small_org) + ".cache").glob("overview-*.pickle"))
    assert len(entries) == 1
    stamp = os.stat(entries[0]).st_mtime_ns
    assert overview_metrics(small_org, monkeypatch) == computed
    assert os.stat(entries[0]).st_mtime_ns == stamp                # read, not written again
    add_checkout_deployment(small_org)
    assert overview_metrics(small_org, monkeypatch)["Deployment frequency"] == "1.25/wk"   # 5 in 4 weeks
