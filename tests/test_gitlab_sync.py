"""`sync gitlab` against the fake GitLab over real HTTP: canonical rows, DORA figures computed by
hand, incremental re-runs, offset pagination, groups."""
from __future__ import annotations

from datetime import UTC, datetime

from fakes.common import canonical_rows
from fakes.gitlab import FakeGitLab, FakeGitLabServer, delivery_history, sync_once

from helpers import dora_row, lead_hours
from warehouse import connect

PROJECT = "acme/app"


def march(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


def synced(tmp_path, **options):
    gitlab = FakeGitLab(page_size=2, **options)
    project = delivery_history(gitlab, PROJECT)
    con = connect(tmp_path / "warehouse.duckdb")
    return gitlab, project, con


def test_dora_figures_of_a_gitlab_project_match_the_hand_computed_ones(tmp_path):
    gitlab, _, con = synced(tmp_path)
    with FakeGitLabServer(gitlab) as server:
        sync_once(con, server, [PROJECT])
    # MR n's work starts at its branch commit (day n+1, 08:00); 101 ships MR 1 on Mar 3 10:00,
    # 103 ships MRs 2 and 3 on Mar 5 10:00 (102 failed and is only an attempt).
    assert lead_hours(con) == {"acme/app!1": 26.0, "acme/app!2": 50.0, "acme/app!3": 26.0}
    row = dora_row(con)
    assert row["deployments"] == 3                   # 100, 101, 103 (not 102 failed, 105 cancelled, staging)
    assert row["deploys_per_week"] == 0.75           # 3 over the 4 weeks of Mar 1 - Mar 29
    assert row["changes"] == 3
    assert row["lead_time_p50_hours"] == 26.0
    assert abs(row["lead_time_p90_hours"] - 45.2) < 1e-9   # 26 + 0.8 * (50 - 26)
    assert row["failed_deployments"] == 1            # incident 1 (Mar 5 12:00) follows 103
    assert abs(row["change_failure_rate"] - 1 / 3) < 1e-9
    assert row["recovery_p50_hours"] == 5.0          # 103 finished 10:00, incident resolved 15:00


def test_canonical_rows_follow_the_mapping_decisions(tmp_path):
    gitlab, project, con = synced(tmp_path)
    with FakeGitLabServer(gitlab) as server:
        sync_once(con, server, [PROJECT])
    pulls = dict(con.execute("SELECT id, merge_commit_sha FROM pull_requests").fetchall())
    assert pulls == {"acme/app!1": project.sha("c1"), "acme/app!2": project.sha("c2"),
                     "acme/app!3": project.sha("c3"), "acme/app!4": None}
    assert con.execute("SELECT draft, merged_at FROM pull_requests WHERE id = 'acme/app!4'").fetchone() == (True, None)
    reviews = con.execute("SELECT pull_request, reviewer, state, hour(submitted_at) FROM reviews "
                          "WHERE pull_request = 'acme/app!1' ORDER BY submitted_at").fetchall()
    # the author's note, the assignment and rev's second comment are not reviews
    assert reviews == [("acme/app!1", "rev", "commented", 9), ("acme/app!1", "rev", "approved", 11)]
    deployments = dict(con.execute("SELECT id, status FROM deployments").fetchall())
    assert deployments == {"100": "success", "101": "success", "102": "failure", "103": "success",
                           "105": "cancelled"}
    commits = con.execute("SELECT commits FROM deployments WHERE id = '103'").fetchone()[0]
    assert commits == [project.sha("c2"), project.sha("c3")]
    assert con.execute("SELECT commits FROM deployments WHERE id = '100'").fetchone()[0] is None
    # a branch commit keeps its MR link; a squash commit from the compare has its parents
    assert con.execute("SELECT pull_request, parents FROM commits WHERE sha = ?",
                       [project.sha("b2")]).fetchone() == ("acme/app!2", None)
    assert con.execute("SELECT pull_request, parents FROM commits WHERE sha = ?",
                       [project.sha("c3")]).fetchone() == (None, [project.sha("c2")])
    runs = con.execute("SELECT id, workflow, status, epoch(finished_at - started_at) FROM pipeline_runs "
                       "ORDER BY id").fetchall()
    assert runs == [("900", "push", "success", 300.0), ("901", "merge_request_event", "failure", 3600.0)]
    assert con.execute("SELECT id, repo FROM incidents").fetchall() == [("acme/app#1", PROJECT)]


def test_a_second_sync_reads_only_what_changed(tmp_path):
    gitlab, project, con = synced(tmp_path)
    with FakeGitLabServer(gitlab) as server:
        sync_once(con, server, [PROJECT])
        first = canonical_rows(con)
        gitlab.log.clear()
        again = sync_once(con, server, [PROJECT])
        assert canonical_rows(con) == first
        assert gitlab.requests(r"/merge_requests/\d+/") == []     # boundary MRs are known: no re-fetch
        assert gitlab.requests(r"/pipelines/\d+") == []
        assert again.stats.requests == 7   # the project, its tree (3 files, 2 a page), one page of each list
        # MR 4 is merged, a new deployment ships it, the incident reopens and a pipeline finishes
        project.commit("b4", march(7, 8), ["c3"])
        project.commit("c4", march(7, 12), ["c3"])
        project.merge_request(4, created=march(6, 7), updated=march(7, 12), commits=["b4"], merged=march(7, 12),
                              squash_commit="c4")
        project.deployment(107, "c4", created=march(8, 9), finished=march(8, 10))
        gitlab.log.clear()
        sync_once(con, server, [PROJECT])
    assert [e.path.split("?")[0] for e in gitlab.requests(r"/merge_requests/\d+/")] == [
        "/projects/acme%2Fapp/merge_requests/4/commits", "/projects/acme%2Fapp/merge_requests/4/notes"]
    assert len(gitlab.requests("/repository/compare")) == 1
    assert lead_hours(con)["acme/app!4"] == 26.0      # b4 Mar 7 08:00 -> 107 Mar 8 10:00
    assert dora_row(con)["deployments"] == 4


def test_pages_follow_x_next_page_when_there_is_no_link_header(tmp_path):
    gitlab, _, con = synced(tmp_path, link=False)
    with FakeGitLabServer(gitlab) as server:
        sync_once(con, server, [PROJECT])
    assert gitlab.requests(r"/merge_requests\?.*page=2")
    assert con.execute("SELECT count(*) FROM pull_requests").fetchone()[0] == 4


def test_a_group_syncs_its_projects_and_skips_archived_ones(tmp_path):
    gitlab = FakeGitLab(page_size=2)
    delivery_history(gitlab, "acme/app")
    delivery_history(gitlab, "acme/platform/api", offset=1000)
    gitlab.project("acme/old", archived=True)
    gitlab.project("other/thing")
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitLabServer(gitlab) as server:
        summary = sync_once(con, server, group="acme")
    assert summary.projects == 2
    repos = [row[0] for row in con.execute("SELECT id FROM repos ORDER BY id").fetchall()]
    assert repos == ["acme/app", "acme/platform/api"]
    assert dora_row(con)["deployments"] == 6
    assert gitlab.requests(r"^/groups/acme/projects\?.*include_subgroups=true")


def test_since_skips_what_changed_before_it_on_a_first_sync(tmp_path):
    gitlab, _, con = synced(tmp_path)
    with FakeGitLabServer(gitlab) as server:
        sync_once(con, server, [PROJECT], since=march(4))
    assert [r[0] for r in con.execute("SELECT id FROM pull_requests ORDER BY id").fetchall()] == [
        "acme/app!3", "acme/app!4"]
    assert [r[0] for r in con.execute("SELECT id FROM deployments ORDER BY id").fetchall()] == ["102", "103", "105"]


def test_one_tree_listing_gives_the_scorecards_repository_facts(tmp_path):
    gitlab, project, con = synced(tmp_path)
    project.tree = ["README.md", ".gitlab-ci.yml", "Dockerfile", "docs/index.md", "src/app.py"]
    other = delivery_history(gitlab, "acme/empty", offset=1000)
    other.tree = None  # an empty repository: GitLab answers 404
    with FakeGitLabServer(gitlab) as server:
        sync_once(con, server, [PROJECT, "acme/empty"])
    facts = con.execute("SELECT repo, listed, readme, codeowners, ci_workflow, dockerfile, docs_folder "
                        "FROM repo_tree_facts WHERE source = 'gitlab' ORDER BY repo").fetchall()
    assert facts == [("acme/app", True, True, False, True, True, True),
                     ("acme/empty", False, None, None, None, None, None)]
    assert con.execute("SELECT count(*) FROM deployments WHERE repo = 'acme/empty'").fetchone()[0] > 0
