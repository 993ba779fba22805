"""METRICS.md rule 11 (rework): rollbacks, deployments during an open incident, rework labels
and revert titles.

Every expected number is computed by hand in the comment next to its assertion.
"""
from __future__ import annotations

import pytest

from helpers import at, build_warehouse, commit, deployment, dora_row, incident, pull_request


def rework_ids(con) -> set[str]:
    """The ids of the deployments flagged as rework."""
    return {row[0] for row in con.execute(
        "SELECT deployment_id FROM deployment_outcomes WHERE rework").fetchall()}


def test_deployment_during_an_open_incident_of_the_repo_is_rework(tmp_path):
    con = build_warehouse(tmp_path, [
        deployment("d1", "s1", at(2)),
        incident("i1", at(2, 1), at(3), caused_by_deployment="d1"),  # open [day 2 01:00, day 3)
        deployment("d2", "s2", at(2, 12)),  # i1 open: rework
        deployment("other", "o1", at(2, 12), repo="acme/other"),  # another repo: not rework
        deployment("d3", "s3", at(3)),  # exactly when i1 resolved: not open any more
        incident("i2", at(4), caused_by_deployment="d3"),  # never resolved
        deployment("d4", "s4", at(4)),  # exactly when i2 started: started_at <= t, rework
        deployment("d5", "s5", at(5)),  # i2 still open: rework
    ])
    assert rework_ids(con) == {"d2", "d4", "d5"}
    row = dora_row(con)
    assert row["deployments"] == 6  # d1..d5 and other
    assert row["rework_deployments"] == 3
    assert row["rework_rate"] == pytest.approx(0.5)  # 3 / 6


def test_rework_labels_and_revert_titles(tmp_path):
    # A linear history c0 <- c1 <- ... <- c9; d<i> ships c<i> alone (c0 went out first, with d0).
    shipped = [
        # (pull request or None, its title / the commit's message, PR labels)
        ("pr-1", "Fix login", ["HotFix"]),  # rework label, any case
        ("pr-2", 'Revert "Add cache"', None),  # Revert + quote
        ("pr-3", "revert run debug docs", None),  # revert + space, any case
        ("pr-4", "Reverting things", None),  # not the word Revert
        (None, 'Revert "Bump deps"\n\nThis reverts commit 1234567.', None),  # lone commit subject
        (None, 'Reverted nothing\n\nRevert "x" only in the body', None),  # subject is what counts
        ("pr-7", "Undo the flag", ["REVERT"]),  # the other rework label
        ("pr-8", "Tidy up", None),  # commit message below starts with Revert; the PR title wins
        (None, 'Add REVERT "button"', None),  # Revert not at the start
    ]
    events = [commit("c0", at(1)), deployment("d0", "c0", at(1, 12))]
    for number, (pr, text, labels) in enumerate(shipped, start=1):
        message = 'Revert "x"' if pr == "pr-8" else (None if pr else text)
        events.append(commit(f"c{number}", at(number + 1), [f"c{number - 1}"], pr=pr, message=message))
        if pr:
            events.append(pull_request(pr, at(number + 1), number=number, title=text, labels=labels))
        events.append(deployment(f"d{number}", f"c{number}", at(number + 1, 12)))
    con = build_warehouse(tmp_path, events)
    assert rework_ids(con) == {"d1", "d2", "d3", "d5", "d7"}
    titles = dict(con.execute("SELECT deployment_id, title FROM deployment_changes").fetchall())
    assert titles["d5"] == 'Revert "Bump deps"'  # a lone commit's title is its subject line
    assert titles["d6"] == "Reverted nothing"
    assert titles["d8"] == "Tidy up"  # a pull request's title, not its commit's message
    row = dora_row(con)
    assert row["deployments"] == 10  # d0..d9
    assert row["rework_deployments"] == 5
    assert row["rework_rate"] == pytest.approx(0.5)  # 5 / 10


def test_a_provider_pull_request_wins_over_the_same_one_from_a_local_clone(tmp_path):
    # The clone knows PR #7 only from its squash subject (no labels); GitHub knows its "hotfix" label.
    from_clone = pull_request("acme/app#7", at(2), title="Fix totals")
    from_github = {**pull_request("acme/app#7", at(1), title="Fix totals", labels=["hotfix"]), "source": "github"}
    con = build_warehouse(tmp_path, [
        {**from_clone, "source": "git"}, from_github,
        commit("c0", at(1)),
        commit("c1", at(3), ["c0"], pr="acme/app#7"),
        deployment("d0", "c0", at(2)),
        deployment("d1", "c1", at(4)),
    ])
    row = dora_row(con)
    assert row["rework_deployments"] == 1  # d1 ships a change whose (GitHub) pull request is a hotfix
    assert row["lead_time_p50_hours"] == 24.0  # from c1's author date, day 3, to day 4
