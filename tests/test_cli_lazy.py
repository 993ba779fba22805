"""The `pitwall` group imports a command's module only when that command runs (pitwall.lazy):
`metrics dora` never loads the syncs, the catalog, the sample organisation or the dashboard,
and help still lists every command, the sync subcommands defined in their own modules included."""
from __future__ import annotations

import json

import click
import pytest

from helpers import at, commit, deployment, run_pitwall, service, team, warehouse_file
from pitwall.lazy import LazyGroup

# Modules only other commands need (the syncs' HTTP client, the catalog's YAML, the demo, Streamlit).
FOREIGN = ("httpx", "yaml", "streamlit", "sampleorg", "ingest", "scorecards", "pitwall.commands.sync",
           "pitwall.commands.catalog", "pitwall.commands.demo", "pitwall.commands.dashboard")


def imported_modules(stderr: str) -> set[str]:
    """The modules a run imported through import statements, from Python's -X importtime lines on
    stderr (importlib.import_module itself is not timed, the imports inside the module are)."""
    return {line.split("|")[2].strip() for line in stderr.splitlines()
            if line.startswith("import time:") and line.split("|")[0].split(":")[1].strip().isdigit()}


def test_metrics_dora_imports_only_what_it_needs(tmp_path):
    db = warehouse_file(tmp_path, [
        team("core"), service("api", team="core", repos=["acme/api"]),
        commit("k0", at(1), repo="acme/api"), commit("k1", at(2), ["k0"], repo="acme/api"),
        deployment("a0", "k0", at(1, 12), repo="acme/api"), deployment("a1", "k1", at(3), repo="acme/api"),
    ])
    result = run_pitwall("--db", str(db), "metrics", "dora", "--since", "2024-03-01", "--until", "2024-03-29",
                         "--format", "json", cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    # a0 is the first of its series (no baseline); a1 ships k1, authored a day before (24 h).
    [row] = json.loads(result.stdout)["rows"]
    assert (row["group"], row["deployments"], row["changes"], row["lead_time_p50_hours"]) == ("all", 2, 1, 24.0)
    modules = imported_modules(result.stderr)
    assert {"metrics.dora", "pitwall.output"} <= modules
    assert sorted(m for m in modules if m.split(".")[0] in FOREIGN or m in FOREIGN) == []


def test_help_lists_every_command_and_the_sync_subcommands(tmp_path):
    top = run_pitwall("--help", cwd=tmp_path)
    assert top.returncode == 0, top.stderr
    listed = top.stdout.split("Commands:")[1].split()
    for name in ("catalog", "config", "dashboard", "demo", "export", "import", "metrics", "rebuild", "record",
                 "schema", "scorecards", "sync"):
        assert name in listed
    sync = run_pitwall("sync", "--help", cwd=tmp_path)
    assert sync.returncode == 0, sync.stderr
    assert [line.split()[0] for line in sync.stdout.split("Commands:")[1].strip().splitlines()] == [
        "git", "github", "gitlab", "pagerduty"]


def test_an_unknown_command_is_a_usage_error(tmp_path):
    result = run_pitwall("metricz", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command 'metricz'" in result.stderr


def test_a_target_naming_another_command_is_refused():
    group = LazyGroup("g", lazy_commands={"show": "pitwall.commands.config:config_group"})
    with pytest.raises(RuntimeError, match="is command 'config', not 'show'"):
        group.get_command(click.Context(group), "show")
