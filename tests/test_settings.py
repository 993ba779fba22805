"""pitwall.toml: where it is found, one line per mistake (exit 2), `pitwall config show` and
`config apply`, and the settings reaching the derived tables and the dashboard's reader."""
from __future__ import annotations

import json
import tomllib

import pytest

from helpers import at, deployment, run_pitwall, warehouse_file, write_ndjson, write_settings
from metrics.settings import CONFIG_VARIABLE, MetricsSettings, metrics_settings_from_environment
from pitwall.settings import PitwallSettings
from warehouse import connect


@pytest.mark.parametrize(("text", "line"), [
    ("[metrics]\nattribution_window_days = 0\n", "metrics.attribution_window_days: must be greater than 0"),
    ("[metrics]\nattribution_window_days = \"a week\"\n", "metrics.attribution_window_days: must be a number"),
    ("[metrics]\ntimezon = \"UTC\"\n", "metrics.timezon: unknown key (did you mean timezone?)"),
    ("[metric]\n", "metric: unknown key (did you mean metrics?)"),
    ("[metrics]\nbots = \"dependabot\"\n", "metrics.bots: must be a list"),
    ("[metrics]\ntimezone = \"Mars/Olympus\"\n",
     "metrics.timezone: unknown time zone 'Mars/Olympus' (expected an IANA name such as Europe/Berlin)"),
    ("[metrics]\nproduction_environments = []\n", "metrics.production_environments: must not be empty"),
    ("[metrics]\nrework_labels = [\"hotfix\", \" \"]\n", "metrics.rework_labels[1]: must not be empty"),
    ("[metrics.teams]\npayments = [\"ann\"]\nsearch = [\"Ann\"]\n",
     "metrics.teams: Ann is a member of both payments and search"),
    ("[metrics.teams]\npayments = \"ann\"\n", "metrics.teams.payments: must be a list"),
    ("metrics = 3\n", "metrics: must be a table"),
    ("[ingest]\nincident_labels = []\n", "ingest.incident_labels: must not be empty"),
])
def test_each_mistake_is_one_line_naming_file_and_key(tmp_path, text, line):
    write_settings(tmp_path, text)
    result = run_pitwall("metrics", "dora", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: pitwall.toml: {line}"]
    assert result.stdout == ""


def test_invalid_toml_names_line_and_column(tmp_path):
    write_settings(tmp_path, "[metrics]\ntimezone = UTC\n")
    result = run_pitwall("config", "show", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: pitwall.toml:2:12: invalid TOML: Invalid value"]


def test_several_mistakes_one_line_each_and_nothing_runs(tmp_path):
    write_settings(tmp_path, "[metrics]\nattribution_window_days = -1\nbots = 3\nsurprise = true\n")
    events = write_ndjson(tmp_path / "events.ndjson", [deployment("d1", "k1", at(1))])
    result = run_pitwall("import", str(events), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: pitwall.toml: metrics.attribution_window_days: must be greater than 0",
        "error: pitwall.toml: metrics.bots: must be a list",
        "error: pitwall.toml: metrics.surprise: unknown key",
    ]
    assert not (tmp_path / "pitwall.duckdb").exists()


def test_a_missing_config_file_is_bad_input(tmp_path):
    result = run_pitwall("--config", "nope.toml", "config", "show", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "error: nope.toml: no such settings file\n")
    result = run_pitwall("--config", str(tmp_path), "config", "show", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, f"error: {tmp_path}: is a folder, not a file\n")


def test_config_show_defaults_is_a_complete_settings_file(tmp_path):
    result = run_pitwall("config", "show", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "# Settings in force: the defaults (no pitwall.toml here, no --config)"
    assert PitwallSettings.model_validate(tomllib.loads(result.stdout)) == PitwallSettings()
    assert "[metrics]\nproduction_environments = [\"production\", \"prod\", \"prd\"]\n" in result.stdout
    assert "bots = [\"dependabot\", \"renovate\"]" in result.stdout


SETTINGS = """[metrics]
production_environments = ["live"]
timezone = "America/Denver"

[metrics.teams]
payments = ["ann", "bob"]
"platform infra" = ["fay"]
"""


def test_config_show_prints_the_file_with_defaults_filled_in(tmp_path):
    write_settings(tmp_path, SETTINGS)
    result = run_pitwall("config", "show", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "# Settings in force: from pitwall.toml"
    shown = PitwallSettings.model_validate(tomllib.loads(result.stdout))
    assert shown.metrics.production_environments == ("live",)
    assert shown.metrics.timezone == "America/Denver"
    assert shown.metrics.teams == {"payments": ("ann", "bob"), "platform infra": ("fay",)}
    assert shown.metrics.rework_labels == ("hotfix", "revert")  # a default
    assert shown.ingest.incident_labels == ("incident",)
    document = json.loads(run_pitwall("config", "show", "--format", "json", cwd=tmp_path).stdout)
    assert document["path"] == "pitwall.toml"
    assert document["settings"]["metrics"]["attribution_window_days"] == 7.0


def test_config_option_and_environment_variable_win_over_the_working_directory(tmp_path):
    write_settings(tmp_path, "[metrics]\ntimezone = \"Asia/Tokyo\"\n")
    other = write_settings(tmp_path, "[metrics]\ntimezone = \"Europe/Oslo\"\n", name="other.toml")
    shown = json.loads(run_pitwall("--config", str(other), "config", "show", "--format", "json",
                                   cwd=tmp_path).stdout)
    assert (shown["path"], shown["settings"]["metrics"]["timezone"]) == (str(other), "Europe/Oslo")
    shown = json.loads(run_pitwall("config", "show", "--format", "json", cwd=tmp_path,
                                   env={CONFIG_VARIABLE: str(other)}).stdout)
    assert shown["settings"]["metrics"]["timezone"] == "Europe/Oslo"


def test_import_derives_with_the_settings_in_force(tmp_path):
    write_settings(tmp_path, SETTINGS)
    events = write_ndjson(tmp_path / "events.ndjson", [
        deployment("p1", "k1", at(1), environment="production"),
        deployment("l1", "k2", at(2), environment="LIVE"),
    ])
    result = run_pitwall("import", str(events), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    con = connect(tmp_path / "pitwall.duckdb", read_only=True)
    assert con.execute("SELECT id FROM prod_deployments").fetchall() == [("l1",)]
    assert con.execute("SELECT id, team FROM people WHERE source = 'config' ORDER BY id").fetchall() == [
        ("ann", "payments"), ("bob", "payments"), ("fay", "platform infra")]
    con.close()


def test_config_apply_rederives_after_an_edit(tmp_path):
    warehouse_file(tmp_path, [deployment("p1", "k1", at(1)), deployment("l1", "k2", at(2), environment="live")])
    apply = ("--db", "warehouse.duckdb", "config", "apply")
    write_settings(tmp_path, "[metrics]\nproduction_environments = [\"live\"]\n")
    result = run_pitwall(*apply, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "config: derived tables of warehouse.duckdb rebuilt with the settings of pitwall.toml\n"
    con = connect(tmp_path / "warehouse.duckdb", read_only=True)
    assert con.execute("SELECT id FROM prod_deployments").fetchall() == [("l1",)]
    con.close()


def test_the_dashboards_reader_follows_pitwall_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_VARIABLE, raising=False)
    assert metrics_settings_from_environment() == MetricsSettings()
    write_settings(tmp_path, "[metrics]\ntimezone = \"Asia/Tokyo\"\n")
    assert metrics_settings_from_environment().timezone == "Asia/Tokyo"
    other = write_settings(tmp_path, SETTINGS, name="other.toml")
    monkeypatch.setenv(CONFIG_VARIABLE, str(other))
    settings = metrics_settings_from_environment()
    assert (settings.timezone, settings.production_environments) == ("America/Denver", ("live",))
    assert settings.membership == [("ann", "payments"), ("bob", "payments"), ("fay", "platform infra")]
