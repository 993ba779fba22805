"""`pitwall sync git PATH` on real git repositories built inside the test (no network).

Every commit, merge and tag is made with fixed author and committer dates, so each row and each
DORA figure below is computed by hand from the dates written next to the commits.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import at, changes_by_deployment, dora_row, lead_hours, run_pitwall
from ingest.git_log import RawCommit
from ingest.git_pulls import own_commits
from ingest.git_remote import repo_id_from_url, url_without_credentials
from warehouse import connect

SHOP = "acme/shop"
ORIGIN = "https://github.com/acme/shop.git"
# Git's own settings must not leak in from the machine (signing, hooks, default branch...).
GIT_ISOLATION = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
# The date of git commands that make no commit of their own (init, add, checkout...).
QUIET_DATE = at(1)


class GitRepo:
    """A real repository built step by step; every command runs with the dates it is given."""

    def __init__(self, path: Path, origin: str | None = ORIGIN):
        self.path = path
        self.changes = 0
        path.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")
        if origin:
            self.git("remote", "add", "origin", origin)

    def git(self, *args: str, authored: datetime = QUIET_DATE, committed: datetime | None = None,
            author: str = "ann") -> str:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
        environment.update(GIT_ISOLATION)
        environment.update({
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": f"{author}@acme.test",
            "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@acme.test",
            "GIT_AUTHOR_DATE": authored.isoformat(), "GIT_COMMITTER_DATE": (committed or authored).isoformat(),
        })
        done = subprocess.run(["git", "-C", str(self.path), *args], env=environment, capture_output=True,
                              text=True, check=True)
        return done.stdout.strip()

    def commit(self, message: str, authored: datetime, committed: datetime | None = None, *,
               author: str = "ann", path: str | None = None) -> str:
        """A commit changing one file (`path`, else a new file of its own); returns its sha."""
        self.changes += 1
        changed = self.path / (path or f"src/change{self.changes}.txt")
        changed.parent.mkdir(parents=True, exist_ok=True)
        changed.write_text(f"{message}\n{self.changes}\n", encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, authored=authored, committed=committed, author=author)
        return self.git("rev-parse", "HEAD")

    def start_branch(self, name: str, start: str = "HEAD") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def switch(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(self, branch: str, message: str, when: datetime, *, author: str = "ann") -> str:
        """A merge commit (never a fast-forward) of `branch` into the current branch."""
        self.git("merge", "-q", "--no-ff", "-m", message, branch, authored=when, author=author)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, target: str = "HEAD", *, annotated_at: datetime | None = None) -> None:
        """A lightweight tag, or an annotated one made at `annotated_at` (its tagger date)."""
        if annotated_at is None:
            self.git("tag", name, target)
        else:
            self.git("tag", "-a", "-m", f"Release {name}", name, target, authored=annotated_at)


@dataclass
class Shop:
    """The shas of the shop repository's history (see build_shop)."""

    repo: GitRepo
    sha: dict[str, str]


def build_shop(root: Path) -> Shop:
    """acme/shop, March 2024 (at(day, hour), UTC):

    c0    d1 09:00  Initial commit (README.md)                     tag v1.0 (lightweight: 1 09:00)
    f1    d2 10:00  Add cart model (bob, branch feature/cart, Dockerfile)
    f2    d3 12:00  Add cart view (bob)
    d1    d3 08:00  Fix typo in README (main, a lone direct commit)
    m12   d4 09:00  Merge pull request #12 ... / body "Add shopping cart"   -> PR 12 = f1, f2
    s15   authored d4 15:00, committed d5 10:00  Speed up search (#15) (carol, a squash)
                                                                    tag v1.1 (annotated at 5 12:00)
    k1    d6 09:00  Bump dependencies (dan, branch chore)
    mk    d6 11:00  Merge branch 'chore' (no pull request)          tag nightly-6 (no match)
    r1    authored d7 10:00, committed d7 16:00  Revert "Speed up search" (carol)
                                                                    tag v1.2 (lightweight: 7 16:00)
    x1    d8 09:00  Try a new engine (branch spike, not on main)    tag v2.0-beta (not on main)
    """
    repo = GitRepo(root / "shop")
    sha = {"c0": repo.commit("Initial commit", at(1, 9), path="README.md")}
    repo.tag("v1.0")
    repo.start_branch("feature/cart")
    sha["f1"] = repo.commit("Add cart model", at(2, 10), author="bob", path="Dockerfile")
    sha["f2"] = repo.commit("Add cart view", at(3, 12), author="bob")
    repo.switch("main")
    sha["d1"] = repo.commit("Fix typo in README", at(3, 8), path="README.md")
    sha["m12"] = repo.merge("feature/cart", "Merge pull request #12 from acme/feature/cart\n\nAdd shopping cart",
                            at(4, 9))
    sha["s15"] = repo.commit("Speed up search (#15)", at(4, 15), at(5, 10), author="carol")
    repo.tag("v1.1", annotated_at=at(5, 12))
    repo.start_branch("chore")
    sha["k1"] = repo.commit("Bump dependencies", at(6, 9), author="dan")
    repo.switch("main")
    sha["mk"] = repo.merge("chore", "Merge branch 'chore'", at(6, 11))
    repo.tag("nightly-6")
    sha["r1"] = repo.commit('Revert "Speed up search"', at(7, 10), at(7, 16), author="carol")
    repo.tag("v1.2")
    repo.start_branch("spike")
    sha["x1"] = repo.commit("Try a new engine", at(8, 9))
    repo.tag("v2.0-beta")
    repo.switch("main")
    return Shop(repo, sha)


def sync(tmp_path: Path, path: Path, *options: str, db: str = "warehouse.duckdb",
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_pitwall("--db", str(tmp_path / db), "sync", "git", str(path), *options, cwd=tmp_path, env=env)


def synced(tmp_path: Path, path: Path, *options: str, db: str = "warehouse.duckdb") -> str:
    """Sync and return the summary line (the sync must succeed)."""
    done = sync(tmp_path, path, *options, db=db)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def open_db(tmp_path: Path, db: str = "warehouse.duckdb") -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / db, read_only=True)


CANONICAL_QUERIES = {
    "commits": "SELECT source, repo, sha, authored_at, committed_at, author, parents, pull_request, message, files "
               "FROM commits ORDER BY sha",
    "pull_requests": "SELECT * FROM pull_requests ORDER BY id",
    "deployments": "SELECT * FROM deployments ORDER BY id",
    "repos": "SELECT * FROM repos ORDER BY id",
    "repo_tree_facts": "SELECT * EXCLUDE (listed_at) FROM repo_tree_facts ORDER BY repo",
}


def canonical(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {table: con.execute(query).fetchall() for table, query in CANONICAL_QUERIES.items()}


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    cursor = con.execute(query)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def commit_links(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    return dict(con.execute("SELECT sha, pull_request FROM commits").fetchall())


# --- the full sync of a repository -------------------------------------------------------------

def test_commits_pull_requests_and_deploy_tags_become_canonical_rows(tmp_path):
    shop = build_shop(tmp_path)
    s = shop.sha
    line = synced(tmp_path, shop.repo.path)
    assert line == ("synced acme/shop (main) from git: 9 commit(s) (full read), 2 pull request(s), "
                    "3 deployment(s) from tags v*")
    with open_db(tmp_path) as con:
        # x1 is on the spike branch only: not read.
        assert commit_links(con) == {
            s["c0"]: None, s["d1"]: None, s["k1"]: None, s["mk"]: None, s["r1"]: None,
            s["f1"]: "acme/shop#12", s["f2"]: "acme/shop#12", s["m12"]: "acme/shop#12",
            s["s15"]: "acme/shop#15",
        }
        [m12] = rows(con, f"SELECT * FROM commits WHERE sha = '{s['m12']}'")
        assert m12 == {
            "source": "git", "repo": SHOP, "sha": s["m12"], "authored_at": at(4, 9), "committed_at": at(4, 9),
            "author": "ann", "parents": [s["d1"], s["f2"]], "pull_request": "acme/shop#12",
            "message": "Merge pull request #12 from acme/feature/cart\n\nAdd shopping cart", "files": None,
        }
        [s15] = rows(con, f"SELECT * FROM commits WHERE sha = '{s['s15']}'")
        assert (s15["authored_at"], s15["committed_at"], s15["author"], s15["parents"]) == (
            at(4, 15), at(5, 10), "carol", [s["m12"]])
        assert s15["files"] == ["src/change5.txt"]
        assert con.execute(f"SELECT files FROM commits WHERE sha = '{s['f1']}'").fetchone()[0] == ["Dockerfile"]

        assert rows(con, "SELECT * FROM pull_requests ORDER BY id") == [
            {"source": "git", "id": "acme/shop#12", "repo": SHOP, "number": 12, "author": "bob",
             "created_at": at(2, 10), "title": "Add shopping cart", "ready_at": None, "merged_at": at(4, 9),
             "closed_at": at(4, 9), "base_branch": "main", "merge_commit_sha": s["m12"], "additions": None,
             "deletions": None, "labels": None, "draft": None},
            {"source": "git", "id": "acme/shop#15", "repo": SHOP, "number": 15, "author": "carol",
             "created_at": at(4, 15), "title": "Speed up search", "ready_at": None, "merged_at": at(5, 10),
             "closed_at": at(5, 10), "base_branch": "main", "merge_commit_sha": s["s15"], "additions": None,
             "deletions": None, "labels": None, "draft": None},
        ]
        # v1.0 lightweight: c0's committer date; v1.1 annotated: its tagger date (not s15's 5 10:00);
        # v1.2 lightweight: r1's committer date (not its author date). nightly-6 and v2.0-beta: none.
        assert con.execute("SELECT id, environment, sha, status, finished_at, started_at, commits, service "
                           "FROM deployments ORDER BY id").fetchall() == [
            ("acme/shop@v1.0", "production", s["c0"], "success", at(1, 9), None, None, None),
            ("acme/shop@v1.1", "production", s["s15"], "success", at(5, 12), None, None, None),
            ("acme/shop@v1.2", "production", s["r1"], "success", at(7, 16), None, None, None),
        ]
        assert con.execute("SELECT * FROM repos").fetchall() == [("git", SHOP, "git", "main", ORIGIN)]
        assert con.execute("SELECT readme, codeowners, ci_workflow, dockerfile, docs_folder FROM repo_tree_facts "
                           "WHERE repo = ? AND source = 'git'", [SHOP]).fetchall() == [
            (True, False, False, True, False)]


def test_the_dora_figures_of_the_tags_are_the_hand_computed_ones(tmp_path):
    shop = build_shop(tmp_path)
    s = shop.sha
    synced(tmp_path, shop.repo.path)
    with open_db(tmp_path) as con:
        # v1.0 is the first deployment: no baseline, no changes. The merge without pull request
        # (mk) is no change; k1, which it brought in, is one.
        assert changes_by_deployment(con) == {
            "acme/shop@v1.0": set(),
            "acme/shop@v1.1": {"acme/shop#12", s["d1"], "acme/shop#15"},
            "acme/shop@v1.2": {s["k1"], s["r1"]},
        }
        assert lead_hours(con) == {
            "acme/shop#12": 74.0,   # f1 authored 2 10:00 -> v1.1 at 5 12:00
            s["d1"]: 52.0,          # 3 08:00 -> 5 12:00
            "acme/shop#15": 21.0,   # squash authored 4 15:00 -> 5 12:00
            s["k1"]: 31.0,          # 6 09:00 -> v1.2 at 7 16:00
            s["r1"]: 6.0,           # authored 7 10:00 -> 7 16:00
        }
        row = dora_row(con)
    assert row["deployments"] == 3
    assert row["deploys_per_week"] == 0.75            # 3 in 4 weeks
    assert row["changes"] == 5
    assert row["lead_time_p50_hours"] == 31.0         # 6, 21, 31, 52, 74
    assert row["lead_time_p90_hours"] == pytest.approx(65.2)   # 52 + 0.6 * (74 - 52)
    assert row["failed_deployments"] == 0
    assert row["change_failure_rate"] == 0.0
    assert row["recovery_p50_hours"] is None
    assert row["rework_deployments"] == 1             # v1.2 ships 'Revert "Speed up search"'
    assert row["rework_rate"] == pytest.approx(1 / 3)


def test_another_tag_glob_picks_other_deployments(tmp_path):
    shop = build_shop(tmp_path)
    line = synced(tmp_path, shop.repo.path, "--deploy-tags", "nightly-*")
    assert line.endswith("1 deployment(s) from tags nightly-*")
    with open_db(tmp_path) as con:
        assert con.execute("SELECT id, sha, finished_at FROM deployments").fetchall() == [
            ("acme/shop@nightly-6", shop.sha["mk"], at(6, 11))]


def test_tags_deployed_at_the_same_time_are_ordered_by_name(tmp_path):
    """c1 and c2 are committed in the same second; v1.1 (c1) goes before v1.2 (c2) by name."""
    repo = GitRepo(tmp_path / "tie")
    c0 = repo.commit("Initial commit", at(1, 9))
    repo.tag("v1.0")
    c1 = repo.commit("First", at(2, 9), at(2, 12))
    c2 = repo.commit("Second", at(2, 10), at(2, 12))
    repo.tag("v1.2", c2)
    repo.tag("v1.1", c1)
    synced(tmp_path, repo.path)
    with open_db(tmp_path) as con:
        assert con.execute("SELECT id, sha, deployed_at FROM prod_deployments ORDER BY seq").fetchall() == [
            ("acme/shop@v1.0", c0, at(1, 9)), ("acme/shop@v1.1", c1, at(2, 12)), ("acme/shop@v1.2", c2, at(2, 12))]
        assert changes_by_deployment(con) == {"acme/shop@v1.0": set(), "acme/shop@v1.1": {c1},
                                              "acme/shop@v1.2": {c2}}


def test_pull_requests_from_merge_and_squash_subjects(tmp_path):
    """Release flows: a `(#N)` merge, one number merged twice, a pull request merged into a release
    branch that is merged in turn, and squash commits arriving through merges.

    c0   d1 09:00  Initial commit
    a1   d2 09:00  Add export (bob)             -> merged by "Add CSV export (#20)" at 2 12:00
    b1   d3 09:00  Add login (bob)              -> "Merge pull request #21 from acme/login" at 3 12:00
    b2   d4 09:00  Fix login redirect (erin)    -> "Merge pull request #21 from acme/login-fix" at 4 12:00
    p1   d5 09:00  Add coupons (frank)          -> "Merge pull request #30 ..." into release at 5 12:00
    q1   d5 14:00  Bump version (gina)             on release
    q2   d5 15:00  Hotfix cache (#41) (gina)       on release, a squash of its own
    release        -> "Merge pull request #31 from acme/release" / "Release 2.0" into main at 6 09:00
    t1   d7 09:00  Tidy logs (#40) (hal)        -> "Merge branch 'tidy'" at 7 12:00 (no pull request)
    """
    repo = GitRepo(tmp_path / "flow", origin="git@github.com:acme/flow.git")
    sha = {"c0": repo.commit("Initial commit", at(1, 9))}
    repo.start_branch("export")
    sha["a1"] = repo.commit("Add export", at(2, 9), author="bob")
    repo.switch("main")
    sha["m20"] = repo.merge("export", "Add CSV export (#20)", at(2, 12))
    repo.start_branch("login")
    sha["b1"] = repo.commit("Add login", at(3, 9), author="bob")
    repo.switch("main")
    sha["m21"] = repo.merge("login", "Merge pull request #21 from acme/login", at(3, 12))
    repo.start_branch("login-fix")
    sha["b2"] = repo.commit("Fix login redirect", at(4, 9), author="erin")
    repo.switch("main")
    sha["m21b"] = repo.merge("login-fix", "Merge pull request #21 from acme/login-fix", at(4, 12))
    repo.start_branch("release")
    repo.start_branch("coupons")
    sha["p1"] = repo.commit("Add coupons", at(5, 9), author="frank")
    repo.switch("release")
    sha["m30"] = repo.merge("coupons", "Merge pull request #30 from acme/coupons\n\nCoupons", at(5, 12))
    sha["q1"] = repo.commit("Bump version", at(5, 14), author="gina")
    sha["q2"] = repo.commit("Hotfix cache (#41)", at(5, 15), author="gina")
    repo.switch("main")
    sha["m31"] = repo.merge("release", "Merge pull request #31 from acme/release\n\nRelease 2.0", at(6, 9))
    repo.start_branch("tidy")
    sha["t1"] = repo.commit("Tidy logs (#40)", at(7, 9), author="hal")
    repo.switch("main")
    sha["mt"] = repo.merge("tidy", "Merge branch 'tidy'", at(7, 12))

    synced(tmp_path, repo.path)
    with open_db(tmp_path) as con:
        assert commit_links(con) == {
            sha["c0"]: None, sha["mt"]: None,
            sha["a1"]: "acme/flow#20", sha["m20"]: "acme/flow#20",
            sha["b1"]: "acme/flow#21", sha["m21"]: "acme/flow#21",
            sha["b2"]: "acme/flow#21", sha["m21b"]: "acme/flow#21",
            sha["p1"]: "acme/flow#30", sha["m30"]: "acme/flow#30",   # the inner pull request keeps its own
            sha["q1"]: "acme/flow#31", sha["m31"]: "acme/flow#31",
            sha["q2"]: "acme/flow#41",                                # its own subject names it
            sha["t1"]: "acme/flow#40",
        }
        assert con.execute("SELECT number, author, created_at, title, merged_at, merge_commit_sha "
                           "FROM pull_requests ORDER BY number").fetchall() == [
            (20, "bob", at(2, 9), "Add CSV export", at(2, 12), sha["m20"]),
            # Merged twice: one pull request, described by its first merge, opened at its first commit.
            (21, "bob", at(3, 9), "Merge pull request #21 from acme/login", at(3, 12), sha["m21"]),
            (30, "frank", at(5, 9), "Coupons", at(5, 12), sha["m30"]),
            (31, "gina", at(5, 14), "Release 2.0", at(6, 9), sha["m31"]),
            (40, "hal", at(7, 9), "Tidy logs", at(7, 9), sha["t1"]),
            (41, "gina", at(5, 15), "Hotfix cache", at(5, 15), sha["q2"]),
        ]


def _ancestors(sha: str, parents_of: dict[str, tuple[str, ...]]) -> set[str]:
    found, stack = {sha}, [sha]
    while stack:
        for parent in parents_of[stack.pop()]:
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return found


@st.composite
def commit_graphs(draw: st.DrawFn) -> dict[str, tuple[str, ...]]:
    """A random history: commit i has up to three distinct parents among the commits before it."""
    parents_of: dict[str, tuple[str, ...]] = {}
    for index in range(draw(st.integers(2, 40))):
        count = draw(st.integers(1 if index else 0, min(3, index)))
        chosen = draw(st.lists(st.integers(0, index - 1), min_size=count, max_size=count, unique=True)) if index else []
        parents_of[f"c{index}"] = tuple(f"c{parent}" for parent in chosen)
    return parents_of


@given(commit_graphs())
def test_own_commits_are_what_the_other_parents_reach_and_the_first_does_not(parents_of):
    """own_commits(M) == `git rev-list P2 ^P1`, on any history (here: index = topological level)."""
    generation = {sha: int(sha[1:]) for sha in parents_of}
    for sha, parents in parents_of.items():
        if len(parents) < 2:
            continue
        merge = RawCommit(sha=sha, parents=parents, author="ann", authored_at=at(1), committed_at=at(1),
                          message="Merge", files=None)
        reached = set().union(*(_ancestors(parent, parents_of) for parent in parents[1:]))
        assert own_commits(merge, parents_of, generation) == reached - _ancestors(parents[0], parents_of)


# --- incremental re-runs -----------------------------------------------------------------------

def extend_shop(shop: Shop) -> None:
    """New work on main after the first sync:

    w1   d9 10:00  Add wishlist (bob, branch wishlist) -> "Merge pull request #16 ..." at 10 09:00
    s17  authored d10 11:00, committed d10 15:00  Add sitemap (#17) (erin, a squash)
    b12  d11 08:00  Fix cart rounding (#12) (bob): a backport naming pull request 12 again
                                                     tag v1.3 (annotated at 11 12:00)
    """
    repo = shop.repo
    repo.start_branch("wishlist")
    shop.sha["w1"] = repo.commit("Add wishlist", at(9, 10), author="bob")
    repo.switch("main")
    shop.sha["m16"] = repo.merge("wishlist", "Merge pull request #16 from acme/wishlist\n\nWishlist", at(10, 9))
    shop.sha["s17"] = repo.commit("Add sitemap (#17)", at(10, 11), at(10, 15), author="erin")
    shop.sha["b12"] = repo.commit("Fix cart rounding (#12)", at(11, 8), author="bob")
    repo.tag("v1.3", annotated_at=at(11, 12))


def test_a_rerun_reads_only_the_new_commits_and_equals_a_clean_sync(tmp_path):
    shop = build_shop(tmp_path)
    synced(tmp_path, shop.repo.path)
    assert synced(tmp_path, shop.repo.path).startswith("synced acme/shop (main) from git: 0 commit(s) (new since")
    extend_shop(shop)
    line = synced(tmp_path, shop.repo.path)
    assert line == (f"synced acme/shop (main) from git: 4 commit(s) (new since {shop.sha['r1'][:12]}), "
                    "3 pull request(s), 4 deployment(s) from tags v*")   # #16, #17 and #12 again
    clean = synced(tmp_path, shop.repo.path, db="clean.duckdb")
    assert clean.startswith("synced acme/shop (main) from git: 13 commit(s) (full read), 4 pull request(s)")

    with open_db(tmp_path) as con, open_db(tmp_path, "clean.duckdb") as fresh:
        assert canonical(con) == canonical(fresh)
        assert dora_row(con) == dora_row(fresh)
        # Pull request 12 keeps its first merge and start; the backport only links one more commit.
        assert con.execute("SELECT created_at, merged_at, merge_commit_sha, author, title FROM pull_requests "
                           "WHERE number = 12").fetchall() == [(at(2, 10), at(4, 9), shop.sha["m12"], "bob",
                                                                "Add shopping cart")]
        assert commit_links(con)[shop.sha["b12"]] == "acme/shop#12"
        # v1.3 ships #16 and #17; #12 (through b12) was already shipped by v1.1.
        assert changes_by_deployment(con)["acme/shop@v1.3"] == {"acme/shop#16", "acme/shop#17"}
        row = dora_row(con)
    assert (row["deployments"], row["deploys_per_week"], row["changes"]) == (4, 1.0, 7)
    # Leads: 6, 21, 25 (#17: 10 11:00 -> 11 12:00), 31, 50 (#16: w1 9 10:00 -> 11 12:00), 52, 74.
    assert row["lead_time_p50_hours"] == 31.0
    assert row["lead_time_p90_hours"] == pytest.approx(60.8)   # 52 + 0.4 * (74 - 52)
    assert (row["rework_deployments"], row["rework_rate"]) == (1, 0.25)


def test_a_force_push_reads_everything_again(tmp_path):
    shop = build_shop(tmp_path)
    synced(tmp_path, shop.repo.path)
    # Main is rewritten: k1, mk and r1 leave its history (so does tag v1.2, now off the branch).
    shop.repo.git("reset", "-q", "--hard", shop.sha["s15"])
    n1 = shop.repo.commit("Add search filters", at(8, 10), at(8, 14))
    shop.repo.tag("v1.2.1")
    line = synced(tmp_path, shop.repo.path)
    assert line.startswith("synced acme/shop (main) from git: 7 commit(s) (full read), 2 pull request(s), "
                           "3 deployment(s)")
    synced(tmp_path, shop.repo.path, db="clean.duckdb")
    with open_db(tmp_path) as con, open_db(tmp_path, "clean.duckdb") as fresh:
        assert canonical(con) == canonical(fresh)
        assert set(commit_links(con)) == {shop.sha[name] for name in ("c0", "f1", "f2", "d1", "m12", "s15")} | {n1}
        assert [row[0] for row in con.execute("SELECT id FROM deployments ORDER BY id").fetchall()] == [
            "acme/shop@v1.0", "acme/shop@v1.1", "acme/shop@v1.2.1"]
        row = dora_row(con)
    # Leads 4 (n1: 8 10:00 -> committed, and tagged, 8 14:00), 21, 52, 74.
    assert (row["deployments"], row["changes"], row["rework_deployments"]) == (3, 4, 0)
    assert row["lead_time_p50_hours"] == 36.5
    assert row["lead_time_p90_hours"] == pytest.approx(67.4)   # 52 + 0.7 * (74 - 52)


# --- which repository ----------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "repo_id"), [
    ("https://github.com/acme/shop", "acme/shop"),
    ("https://github.com/acme/shop.git", "acme/shop"),
    ("https://user:secret@github.example.com:8443/acme/shop.git/", "acme/shop"),
    ("git@github.com:acme/shop.git", "acme/shop"),
    ("git@github.com:acme/shop", "acme/shop"),
    ("ssh://git@github.com/acme/shop", "acme/shop"),
    ("ssh://git@git.acme.test:2222/acme/shop.git", "acme/shop"),
    ("https://gitlab.com/acme/platform/shop.git", "acme/platform/shop"),
    ("/srv/git/shop.git", None),
    ("../shop", None),
    ("file:///srv/git/shop.git", None),
    ("git@github.com:shop.git", None),
])
def test_the_repo_id_of_an_origin_url(url, repo_id):
    assert repo_id_from_url(url) == repo_id


def test_credentials_never_stay_in_a_stored_url():
    assert url_without_credentials("https://user:secret@github.com/acme/shop.git") == "https://github.com/acme/shop.git"
    assert url_without_credentials("https://ghp_token@github.com/acme/shop") == "https://github.com/acme/shop"
    assert url_without_credentials("git@github.com:acme/shop.git") == "git@github.com:acme/shop.git"


def test_the_repo_id_comes_from_the_option_the_origin_or_the_folder(tmp_path):
    repo = GitRepo(tmp_path / "payments", origin="https://user:s3cret@git.acme.test/acme/payments.git")
    repo.commit("Initial commit", at(1, 9))
    repo.tag("v1")
    synced(tmp_path, repo.path, db="origin.duckdb")
    synced(tmp_path, repo.path, "--repo", "platform/pay", db="option.duckdb")
    repo.git("remote", "remove", "origin")
    synced(tmp_path, repo.path, db="folder.duckdb")
    ids = {}
    for db in ("origin", "option", "folder"):
        with open_db(tmp_path, f"{db}.duckdb") as con:
            ids[db] = con.execute("SELECT repo, id FROM deployments").fetchone()
            if db == "origin":
                assert con.execute("SELECT url FROM repos").fetchone()[0] == "https://git.acme.test/acme/payments.git"
    assert ids == {"origin": ("acme/payments", "acme/payments@v1"), "option": ("platform/pay", "platform/pay@v1"),
                   "folder": ("payments", "payments@v1")}


# --- errors: one line, exit 2 --------------------------------------------------------------------

def assert_one_line_error(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 2
    assert done.stderr.splitlines() == [expected]
    assert done.stdout == ""


def test_a_missing_path_or_a_folder_that_is_no_repository(tmp_path):
    assert_one_line_error(sync(tmp_path, tmp_path / "nowhere"), f"error: {tmp_path / 'nowhere'}: no such directory")
    plain = tmp_path / "plain"
    plain.mkdir()
    # Stop git's search for an enclosing repository at tmp_path.
    done = sync(tmp_path, plain, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert_one_line_error(done, f"error: {plain}: not a git repository")


def test_an_unknown_branch_or_a_detached_head(tmp_path):
    shop = build_shop(tmp_path)
    path = shop.repo.path
    assert_one_line_error(sync(tmp_path, path, "--branch", "nope"),
                          f"error: {path}: unknown branch 'nope' (or it has no commits yet)")
    shop.repo.git("checkout", "-q", "--detach", shop.sha["d1"])
    assert_one_line_error(sync(tmp_path, path), f"error: {path}: HEAD is detached; name the branch with --branch")
    assert synced(tmp_path, path, "--branch", "main").startswith("synced acme/shop (main) from git: 9 commit(s)")


def test_a_shallow_clone_is_refused(tmp_path):
    shop = build_shop(tmp_path)
    shallow = tmp_path / "shallow"
    shop.repo.git("clone", "-q", "--depth", "1", f"file://{shop.repo.path}", str(shallow))
    assert_one_line_error(sync(tmp_path, shallow), f"error: {shallow}: a shallow clone (history cut short); "
                                                   "run `git fetch --unshallow --tags` first")


def test_git_not_installed(tmp_path):
    shop = build_shop(tmp_path)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    done = sync(tmp_path, shop.repo.path, env={"PATH": str(empty)})
    assert_one_line_error(done, "error: git is not installed (no `git` on PATH)")
