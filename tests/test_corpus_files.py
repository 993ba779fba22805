"""Hostile and broken catalog YAML, scorecard YAML and pitwall.toml (tests/corpus/{catalog,
scorecards,settings}/) through the real CLI.

Every case is refused with exit 2 and one line naming the file (and line, or key) and what is
wrong, and leaves the warehouse as it was: catalog, scorecard results, derived tables and all.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from corpus_support import CORPUS, Case, assert_refused, build_base, cases, copy_of, good_events, run_case

from helpers import run_pitwall

ENTITY = """---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  description: {description}
spec:
  type: service
  owner: group:payments
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize("case", cases("catalog"), ids=lambda case: case.name)
def test_a_bad_catalog_file_is_refused_with_one_line_and_changes_nothing(base: Path, tmp_path: Path,
                                                                         case: Case) -> None:
    result = run_case(base, tmp_path, "catalog", "import", str(case.path))
    assert_refused(result, str(case.path), case.name + case.expect)


@pytest.mark.parametrize("case", cases("scorecards"), ids=lambda case: case.name)
def test_a_bad_scorecard_spec_is_refused_with_one_line_and_changes_nothing(base: Path, tmp_path: Path,
                                                                           case: Case) -> None:
    result = run_case(base, tmp_path, "scorecards", "evaluate", "--spec", str(case.path), "--date", "2024-03-29")
    assert_refused(result, str(case.path), case.name + case.expect)


@pytest.mark.parametrize("case", cases("settings"), ids=lambda case: case.name)
def test_a_bad_settings_file_is_refused_with_one_line_and_changes_nothing(base: Path, tmp_path: Path,
                                                                          case: Case) -> None:
    result = run_case(base, tmp_path, "--config", str(case.path), "import", str(good_events(tmp_path)))
    assert_refused(result, str(case.path), "error: " + str(case.path) + case.expect)


def test_a_huge_catalog_names_the_line_of_its_one_bad_entity(base: Path, tmp_path: Path) -> None:
    """About 10 MB: 20,000 entities with long descriptions, the last one without a name."""
    path = tmp_path / "catalog-info.yaml"
    description = "d" * 500
    entities = [ENTITY.format(name=f"svc-{n}", description=description) for n in range(20_000)]
    entities.append(ENTITY.format(name="", description=description).replace("  name: \n", ""))
    path.write_text("".join(entities), encoding="utf-8")
    last_line = sum(text.count("\n") for text in entities[:-1]) + 2
    result = run_case(base, tmp_path, "catalog", "import", str(path))
    assert_refused(result, str(path), f"catalog-info.yaml:{last_line}: missing required field 'metadata.name'")


def test_an_alias_bomb_in_a_field_pitwall_does_not_read_costs_nothing(base: Path, tmp_path: Path) -> None:
    """Aliases stay shared references: a billion laughs under spec.providesApis is never expanded."""
    path = CORPUS / "accepted" / "catalog-billion-laughs-in-unread-field.yaml"
    db = copy_of(base, tmp_path)
    result = run_pitwall("--db", str(db), "catalog", "import", str(path), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT kind, name FROM catalog_entities").fetchall() == [("Component", "api")]
