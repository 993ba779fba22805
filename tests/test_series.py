"""The sequential series rules on their own: commit assignment (rule 3) and rollbacks (rule 8)."""
from metrics.series import SeriesDeployment, find_rollbacks, walk_series

# a - b - c - d on main; e is a side branch off b merged by m (parents c, e).
GRAPH = {"a": [], "b": ["a"], "c": ["b"], "e": ["b"], "m": ["c", "e"], "d": ["m"]}


def deploy(id_: str, sha: str, commits=None) -> SeriesDeployment:
    return SeriesDeployment("import", id_, sha, commits)


def shipped_by(result) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for _, deployment_id, sha in result.shipped:
        found.setdefault(deployment_id, set()).add(sha)
    return found


def test_first_deployment_has_no_baseline_and_later_ones_ship_the_difference():
    result = walk_series([deploy("1", "b"), deploy("2", "d")], GRAPH)
    assert result.without_baseline == [("import", "1")]
    # d reaches d, m, c, e, b, a; b and a were reached by deployment 1.
    assert shipped_by(result) == {"2": {"d", "m", "c", "e"}}


def test_explicit_list_wins_and_a_commit_ships_once():
    result = walk_series([deploy("1", "a", ["a"]), deploy("2", "c", ["x", "b"]), deploy("3", "d", ["b", "d"])], GRAPH)
    assert result.without_baseline == []
    assert shipped_by(result) == {"1": {"a"}, "2": {"x", "b"}, "3": {"d"}}


def test_rollback_ships_nothing_and_roll_forward_ships_nothing_new():
    result = walk_series([deploy("1", "a"), deploy("2", "c"), deploy("3", "a"), deploy("4", "c")], GRAPH)
    assert shipped_by(result) == {"2": {"b", "c"}}


def test_unknown_sha_ships_only_itself():
    result = walk_series([deploy("1", "a"), deploy("2", "zzz")], GRAPH)
    assert shipped_by(result) == {"2": {"zzz"}}


def test_rollback_and_roll_forward():
    series = [deploy(str(n), sha) for n, sha in enumerate("ababca", start=1)]
    pairs = [(r.id, p.id) for r, p in find_rollbacks(series)]
    # 3 re-ships a (deployed by 1): rollback of 2. 4 re-ships b, which 3 rolled back: roll-forward.
    # 6 re-ships a after 5 (c): rollback of 5.
    assert pairs == [("3", "2"), ("6", "5")]


def test_redeploying_the_same_sha_is_no_rollback():
    series = [deploy("1", "a"), deploy("2", "b"), deploy("3", "b")]
    assert find_rollbacks(series) == []


def test_redeploy_of_a_rollback_keeps_its_roll_forward():
    series = [deploy("1", "a"), deploy("2", "b"), deploy("3", "a"), deploy("4", "a"), deploy("5", "b")]
    # 3 rolls b back; 4 redeploys a; 5 re-ships b, which the live state (3, 4) rolled back.
    assert [(r.id, p.id) for r, p in find_rollbacks(series)] == [("3", "2")]
