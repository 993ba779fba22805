"""The pure GitLab JSON -> canonical record rules, on hand-written documents."""
from __future__ import annotations

from datetime import UTC, datetime

from ingest.gitlab.mapping import map_deployment, map_incident, map_merge_request, map_pipeline, map_reviews

MR = {"iid": 7, "created_at": "2024-03-01T08:00:00.000Z", "author": {"username": "dev"}, "labels": ["a"],
      "target_branch": "main", "title": "T", "draft": False}


def test_the_landed_commit_is_the_squash_then_merge_then_head_commit_and_only_once_merged():
    merged = {**MR, "merged_at": "2024-03-02T08:00:00.000Z", "sha": "head"}
    assert map_merge_request("g/p", {**merged, "squash": True, "squash_commit_sha": "sq",
                                     "merge_commit_sha": "mc"}).merge_commit_sha == "sq"
    assert map_merge_request("g/p", {**merged, "squash": False, "merge_commit_sha": "mc"}).merge_commit_sha == "mc"
    assert map_merge_request("g/p", {**merged, "merge_commit_sha": None}).merge_commit_sha == "head"   # fast-forward
    opened = map_merge_request("g/p", {**MR, "merged_at": None, "merge_commit_sha": "mc", "sha": "head"})
    assert (opened.id, opened.merge_commit_sha, opened.closed_at) == ("g/p!7", None, None)


def test_only_approvals_and_first_comments_of_others_are_reviews():
    def note(id, who, body, system=False):
        return {"id": id, "author": {"username": who}, "body": body, "system": system,
                "created_at": f"2024-03-01T0{id}:00:00Z"}
    notes = [note(1, "dev", "approved this merge request", system=True),        # the author's own approval counts
             note(2, "rev", "changed the description", system=True),
             note(3, "dev", "a comment of the author"),
             note(4, "rev", "first"), note(5, "rev", "second"),
             note(6, "ops", "unapproved this merge request", system=True)]
    reviews = [(r.id, r.reviewer, r.state) for r in map_reviews("g/p!7", "dev", notes)]
    assert reviews == [("1", "dev", "approved"), ("4", "rev", "commented")]


def test_deployment_statuses_map_to_outcomes_or_nothing():
    base = {"id": 5, "sha": "s", "created_at": "2024-03-01T09:00:00Z", "updated_at": "2024-03-01T11:00:00Z",
            "environment": {"name": "production"}, "deployable": {"finished_at": "2024-03-01T10:00:00Z"}}
    assert map_deployment("g/p", {**base, "status": "success"}).finished_at == datetime(2024, 3, 1, 10, tzinfo=UTC)
    no_job = map_deployment("g/p", {**base, "status": "failed", "deployable": None})
    assert (no_job.status, no_job.finished_at) == ("failure", datetime(2024, 3, 1, 11, tzinfo=UTC))
    assert map_deployment("g/p", {**base, "status": "canceled"}).status == "cancelled"
    assert [map_deployment("g/p", {**base, "status": s}) for s in ("created", "running", "blocked")] == [None] * 3


def test_pipelines_and_incidents():
    run = map_pipeline("g/p", {"id": 9, "status": "canceled", "source": "schedule", "ref": "main", "sha": "s",
                               "created_at": "2024-03-01T09:00:00Z", "started_at": None, "finished_at": None})
    assert (run.workflow, run.status, run.started_at, run.finished_at) == (
        "schedule", "cancelled", datetime(2024, 3, 1, 9, tzinfo=UTC), None)
    issue = {"iid": 3, "created_at": "2024-03-01T09:00:00Z", "closed_at": "2024-03-01T10:00:00Z", "title": "x"}
    assert map_incident("g/p", {**issue, "issue_type": "incident", "state": "closed"}).resolved_at == datetime(
        2024, 3, 1, 10, tzinfo=UTC)
    assert map_incident("g/p", {**issue, "issue_type": "incident", "state": "opened"}).resolved_at is None
    assert map_incident("g/p", {**issue, "issue_type": "issue", "state": "closed"}) is None
