"""The rollback rule of a deployment series on its own (METRICS.md rule 8)."""
from metrics.series import SeriesDeployment, find_rollbacks


def deploy(id_: str, sha: str) -> SeriesDeployment:
    return SeriesDeployment("import", id_, sha)


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
