"""The rollback rule of a deployment series (METRICS.md rule 8), through a real warehouse and derive."""
from helpers import at, build_warehouse, deployment


def rollbacks(tmp_path, shas: str, **options) -> list[tuple[str, str]]:
    """(rollback, rolled-back) deployment ids of one series deploying `shas` (one letter each) in order."""
    events = [deployment(str(n), sha, at(n), **options) for n, sha in enumerate(shas, start=1)]
    con = build_warehouse(tmp_path, events)
    return sorted(con.execute("SELECT deployment_id, rolled_back_id FROM rollbacks").fetchall(),
                  key=lambda pair: int(pair[0]))


def test_rollback_and_roll_forward(tmp_path):
    # 3 re-ships a (deployed by 1): rollback of 2. 4 re-ships b, which 3 rolled back: roll-forward.
    # 6 re-ships a after 5 (c): rollback of 5.
    assert rollbacks(tmp_path, "ababca") == [("3", "2"), ("6", "5")]


def test_rollbacks_and_roll_forwards_alternate(tmp_path):
    # 3 rolls b back, 4 rolls forward to b, 5 rolls b back again, 6 rolls forward again.
    assert rollbacks(tmp_path, "ababab") == [("3", "2"), ("5", "4")]


def test_redeploying_the_same_sha_is_no_rollback(tmp_path):
    assert rollbacks(tmp_path, "abb") == []


def test_redeploy_of_a_rollback_keeps_its_roll_forward(tmp_path):
    # 3 rolls b back; 4 redeploys a; 5 re-ships b, which the live state (3, 4) rolled back.
    assert rollbacks(tmp_path, "abaab") == [("3", "2")]


def test_re_shipping_an_older_sha_than_the_rolled_back_one_is_a_rollback(tmp_path):
    # 4 rolls c back to a; 5 re-ships b, which 4 did not roll back: a rollback of 4.
    assert rollbacks(tmp_path, "abcab") == [("4", "3"), ("5", "4")]


def test_each_environment_is_a_series_of_its_own(tmp_path):
    events = [deployment("1", "a", at(1)), deployment("2", "b", at(2), environment="prod"),
              deployment("3", "b", at(3)), deployment("4", "a", at(4), environment="prod")]
    con = build_warehouse(tmp_path, events)
    # production: a, b (no rollback); prod: b, a (a was never deployed before in prod).
    assert con.execute("SELECT count(*) FROM rollbacks").fetchone()[0] == 0
