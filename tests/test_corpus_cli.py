"""Bad command-line arguments (tests/corpus/cli/cases.toml) through the real CLI.

Impossible dates, a window that ends before it starts, unknown choices, missing files, a folder
given as a file, empty strings, out-of-range ports: each is one line naming the option or
argument and what is wrong, exit 2, and the warehouse is left as it was.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from corpus_support import CORPUS, assert_refused, build_base, run_case

# Every sync finds a token, so the arguments are what is refused.
TOKENS = {"GITHUB_TOKEN": "corpus-token", "GITLAB_TOKEN": "corpus-token", "PAGERDUTY_TOKEN": "corpus-token"}
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cli" / "cases.toml").read_text(encoding="utf-8"))["case"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_a_bad_argument_is_refused_with_one_line_and_changes_nothing(base: Path, tmp_path: Path,
                                                                     case: dict[str, Any]) -> None:
    (tmp_path / "folder").mkdir()
    result = run_case(base, tmp_path, *case["args"], env=TOKENS)
    assert_refused(result, case["names"], case["expect"])
    assert not (tmp_path / "out").exists()
