"""The pure GitHub JSON -> canonical record rules (ingest.github.mapping), on hand-built items.

The sync tests cover the same rules end to end; these pin the edge cases one by one.
"""
from __future__ import annotations

import pytest

from helpers import at
from ingest.github.mapping import (
    deployment_outcome,
    environment_variants,
    has_label,
    is_pull_request_item,
    map_commit,
    map_pull_request,
    map_review,
    map_workflow_run,
)


def status(state: str, created: str, id: int = 1) -> dict:
    return {"state": state, "created_at": created, "id": id}


@pytest.mark.parametrize(("statuses", "outcome"), [
    # GitHub lists statuses newest first; order in time decides.
    ([status("inactive", "2024-03-09T00:00:00Z"), status("success", "2024-03-05T10:00:00Z")],
     ("success", "2024-03-05T10:00:00Z")),
    ([status("success", "2024-03-05T12:00:00Z", 2), status("success", "2024-03-05T10:00:00Z", 1)],
     ("success", "2024-03-05T10:00:00Z")),
    ([status("success", "2024-03-06T00:00:00Z"), status("failure", "2024-03-05T10:00:00Z")],
     ("success", "2024-03-06T00:00:00Z")),                   # a retry that succeeded
    ([status("failure", "2024-03-05T11:00:00Z"), status("error", "2024-03-05T10:00:00+01:00")],
     ("error", "2024-03-05T10:00:00+01:00")),               # offsets compare as instants
    ([status("pending", "2024-03-05T10:00:00Z"), status("in_progress", "2024-03-05T10:01:00Z")], None),
    ([status("inactive", "2024-03-05T10:00:00Z")], None),
    ([], None),
])
def test_deployment_outcome(statuses, outcome):
    assert deployment_outcome(statuses) == outcome


def test_environment_spellings_asked_for():
    assert environment_variants(["production", "Prod"]) == [
        "production", "PRODUCTION", "Production", "Prod", "prod", "PROD"]


def test_labels_compare_in_any_case_and_exactly():
    assert has_label({"labels": [{"name": "InCiDeNt"}]}, ["incident"])
    assert not has_label({"labels": [{"name": "incident-followup"}]}, ["incident"])
    assert has_label({"labels": ["Incident"]}, ["INCIDENT"])             # some payloads give names only
    assert has_label({"labels": [{"name": "SEV1"}]}, ["incident", "sev1"])
    assert not has_label({"labels": []}, ["incident"])


def test_pull_requests_in_the_issues_list_are_recognised():
    assert is_pull_request_item({"pull_request": {"url": "https://api.github.com/repos/a/b/pulls/1"}})
    assert not is_pull_request_item({"pull_request": {"html_url": None, "diff_url": None}})
    assert not is_pull_request_item({"number": 3})


def test_a_deleted_account_is_the_ghost():
    pull = {"number": 4, "user": None, "created_at": "2024-03-01T00:00:00Z", "merged_at": None,
            "merge_commit_sha": "abc"}
    assert map_pull_request("a/b", pull).author == "ghost"
    assert map_pull_request("a/b", pull).merge_commit_sha is None
    review = {"id": 9, "user": None, "state": "APPROVED", "submitted_at": "2024-03-01T00:00:00Z"}
    assert map_review("a/b#4", review).reviewer == "ghost"


def test_a_commit_without_a_github_account_keeps_its_author_name():
    item = {"sha": "s1", "author": None, "parents": [{"sha": "s0"}],
            "commit": {"author": {"name": "Ada", "date": "2024-03-01T09:00:00-07:00"},
                       "committer": {"name": "GitHub", "date": "2024-03-02T00:00:00Z"}, "message": "Fix"}}
    commit = map_commit("a/b", item, "a/b#1")
    assert (commit.author, commit.authored_at, commit.parents, commit.pull_request) == (
        "Ada", at(1, 16), ["s0"], "a/b#1")


def test_a_completed_run_without_conclusion():
    run = {"id": 1, "name": None, "path": ".github/workflows/ci.yml", "status": "completed", "conclusion": None,
           "created_at": "2024-03-01T00:00:00Z", "updated_at": "2024-03-01T00:10:00Z"}
    mapped = map_workflow_run("a/b", run)
    assert (mapped.workflow, mapped.status, mapped.finished_at) == (
        ".github/workflows/ci.yml", "completed", at(1, 0, 10))
