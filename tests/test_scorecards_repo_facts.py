"""Repository facts from one tree listing (ingest/repo_facts.py), shared by every ingester."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.repo_facts import FACTS, delete_repo_facts, store_repo_facts, tree_facts
from warehouse import connect

NOTHING = dict.fromkeys(FACTS, False)


@pytest.mark.parametrize(("paths", "found"), [
    (["README.md"], {"readme"}),
    (["readme"], {"readme"}),
    (["Readme.rst", "src/x.go"], {"readme"}),
    ([".github/README.md"], {"readme"}),
    (["docs/README.md"], {"readme", "docs_folder"}),
    (["services/web/README.md"], set()),                      # a README deeper down is not the repo's
    (["READMEFIRST.txt"], set()),
    (["CODEOWNERS"], {"codeowners"}),
    ([".github/CODEOWNERS"], {"codeowners"}),
    ([".gitlab/CODEOWNERS"], {"codeowners"}),
    (["codeowners", "src/CODEOWNERS"], set()),               # the name is exact, the places fixed
    ([".github/workflows/ci.yml"], {"ci_workflow"}),
    ([".github/workflows/release.yaml"], {"ci_workflow"}),
    ([".github/workflows/notes.md", ".github/workflows"], set()),
    ([".github/workflows/sub/ci.yml"], set()),
    ([".gitlab-ci.yml"], {"ci_workflow"}),
    (["Jenkinsfile"], {"ci_workflow"}),
    ([".circleci/config.yml"], {"ci_workflow"}),
    (["Dockerfile"], {"dockerfile"}),
    (["services/api/Dockerfile"], {"dockerfile"}),           # anywhere
    (["dockerfile.prod", "build/app.Dockerfile"], {"dockerfile"}),
    (["Containerfile"], {"dockerfile"}),
    (["docker-compose.yml", "Dockerfiles.md"], set()),
    (["docs/"], {"docs_folder"}),
    (["docs"], {"docs_folder"}),
    (["./docs/index.md", "/README.md/"], {"docs_folder", "readme"}),
    (["documentation/index.md", "src/docs/x.md"], set()),
    ([], set()),
    (["", "  "], set()),
])
def test_tree_facts(paths: list[str], found: set[str]) -> None:
    assert tree_facts(paths) == {name: name in found for name in FACTS}


def rows(con) -> list[tuple]:
    return con.execute("SELECT repo, source, listed, readme, codeowners, ci_workflow, dockerfile, docs_folder, "
                       "listed_at FROM repo_tree_facts ORDER BY repo, source").fetchall()


def test_stored_facts_replace_the_previous_listing_of_the_same_source_and_none_makes_them_unknown(tmp_path) -> None:
    con = connect(tmp_path / "w.duckdb")
    monday, tuesday = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)
    store_repo_facts(con, "acme/api", "github", {**NOTHING, "readme": True}, listed_at=monday)
    store_repo_facts(con, "acme/api", "git", tree_facts(["Dockerfile"]), listed_at=monday)
    store_repo_facts(con, "acme/api", "github", None, listed_at=tuesday)   # refused today
    store_repo_facts(con, "acme/web", "github", {"readme": True}, listed_at=tuesday)  # absent: false
    assert rows(con) == [
        ("acme/api", "git", True, False, False, False, True, False, monday),
        ("acme/api", "github", False, None, None, None, None, None, tuesday),
        ("acme/web", "github", True, True, False, False, False, False, tuesday),
    ]
    with pytest.raises(ValueError, match=r"unknown repository fact\(s\) \['readmee'\]"):
        store_repo_facts(con, "acme/api", "github", {"readmee": True})
    delete_repo_facts(con, "github")
    assert [row[:2] for row in rows(con)] == [("acme/api", "git")]
    con.close()
