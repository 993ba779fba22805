"""Which deployment ships each commit (METRICS.md rule 3), through a real warehouse and derive."""
from helpers import at, build_warehouse, commit, deployment, write_ndjson
from ingest.events import import_files
from metrics.derive import derive
from warehouse import connect
from warehouse.transaction import transaction

# a - b - c - d on main; e is a side branch off b merged by m (parents c, e).
GRAPH = [commit("a", at(1)), commit("b", at(1, 1), ["a"]), commit("c", at(1, 2), ["b"]),
         commit("e", at(1, 3), ["b"]), commit("m", at(1, 4), ["c", "e"]), commit("d", at(1, 5), ["m"])]


def shipped(tmp_path, events) -> dict[str, set[str]]:
    con = build_warehouse(tmp_path, events)
    found: dict[str, set[str]] = {}
    for deployment_id, sha in con.execute("SELECT deployment_id, sha FROM deployment_commits").fetchall():
        found.setdefault(deployment_id, set()).add(sha)
    return found


def test_first_deployment_has_no_baseline_and_later_ones_ship_the_difference(tmp_path):
    con = build_warehouse(tmp_path, [*GRAPH, deployment("1", "b", at(2)), deployment("2", "d", at(3))])
    rows = con.execute("SELECT deployment_id, sha FROM deployment_commits").fetchall()
    # d reaches d, m, c, e, b, a; b and a were reached by deployment 1.
    assert sorted(rows) == [("2", "c"), ("2", "d"), ("2", "e"), ("2", "m")]
    assert con.execute("SELECT id, has_baseline FROM prod_deployments ORDER BY id").fetchall() == [
        ("1", False), ("2", True)]


def test_explicit_list_wins_and_a_commit_ships_once(tmp_path):
    events = [*GRAPH, deployment("1", "a", at(2), commits=["a"]), deployment("2", "c", at(3), commits=["x", "b"]),
              deployment("3", "d", at(4), commits=["b", "d"])]
    assert shipped(tmp_path, events) == {"1": {"a"}, "2": {"x", "b"}, "3": {"d"}}


def test_a_walk_skips_what_an_earlier_explicit_list_shipped(tmp_path):
    events = [*GRAPH, deployment("1", "a", at(2)), deployment("2", "b", at(3), commits=["e", "b"]),
              deployment("3", "d", at(4))]
    # 3 reaches c, e, m, d newly (2's sha b was reached by 2's own walk); e was 2's.
    assert shipped(tmp_path, events) == {"2": {"e", "b"}, "3": {"c", "m", "d"}}


def test_rollback_ships_nothing_and_roll_forward_ships_nothing_new(tmp_path):
    events = [*GRAPH, deployment("1", "a", at(2)), deployment("2", "c", at(3)), deployment("3", "a", at(4)),
              deployment("4", "c", at(5))]
    assert shipped(tmp_path, events) == {"2": {"b", "c"}}


def test_unknown_sha_ships_only_itself_and_a_missing_parent_is_shipped_by_name(tmp_path):
    events = [commit("b", at(1, 1), ["gone"]), commit("c", at(1, 2), ["b"]),
              deployment("1", "zzz", at(2)), deployment("2", "yyy", at(3)), deployment("3", "c", at(4))]
    assert shipped(tmp_path, events) == {"2": {"yyy"}, "3": {"c", "b", "gone"}}


def test_each_environment_walks_its_own_series_and_the_earliest_shipment_wins(tmp_path):
    events = [*GRAPH,
              deployment("1", "c", at(2), environment="production"),   # first of its series: no baseline
              deployment("2", "b", at(3), environment="prod"),         # first of its series: no baseline
              deployment("3", "m", at(4), environment="production"),   # ships m, e
              deployment("4", "d", at(5), environment="prod")]         # reaches c, e, m, d: m, e went to 3
    assert shipped(tmp_path, events) == {"3": {"m", "e"}, "4": {"c", "d"}}


def test_an_import_and_its_derive_in_one_transaction_walk_uncommitted_commits(tmp_path):
    # Rows a transaction has not committed yet have rowids from 2**55 on: still one node each.
    con = connect(tmp_path / "warehouse.duckdb")
    events = [*GRAPH, deployment("1", "b", at(2)), deployment("2", "d", at(3))]
    with transaction(con):
        import_files(con, [write_ndjson(tmp_path / "events.ndjson", events)])
        derive(con)
    rows = con.execute("SELECT deployment_id, sha FROM deployment_commits").fetchall()
    assert sorted(rows) == [("2", "c"), ("2", "d"), ("2", "e"), ("2", "m")]


def test_a_pull_request_shipped_by_two_sources_at_once_goes_to_its_smallest_sha(tmp_path):
    # One repository, two production series deploying at the same moments with the same ids:
    # production from the import, prod from "github". Pull request P is commits y and x.
    con = build_warehouse(tmp_path, [
        commit("a", at(1)), commit("y", at(1, 1), ["a"], pr="P"), commit("x", at(1, 2), ["y"], pr="P"),
        deployment("1", "a", at(2)), deployment("2", "x", at(3))])
    con.execute("INSERT INTO deployments (source, id, repo, environment, sha, status, finished_at) VALUES "
                "('github', '1', 'acme/app', 'prod', 'a', 'success', $first), "
                "('github', '2', 'acme/app', 'prod', 'y', 'success', $second)", {"first": at(2), "second": at(3)})
    derive(con)
    # github's 2 comes first in order (by source) and ships y; the import's 2 ships x. Both rank
    # the same (deployed_at, seq, id): the smaller sha, x, decides.
    assert sorted(con.execute("SELECT source, deployment_id, sha FROM deployment_commits").fetchall()) == [
        ("github", "2", "y"), ("import", "2", "x")]
    assert con.execute("SELECT source, deployment_id, change_key FROM deployment_changes").fetchall() == [
        ("import", "2", "pr:P")]
