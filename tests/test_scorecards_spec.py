"""Bad scorecard specs are refused with `file:line: reason`, every problem at once; through the
CLI with exit 2 and nothing stored."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from helpers import component, run_pitwall, write_catalog
from ingest.catalog import import_catalog
from scorecards.facts import DEFAULT_REGISTRY
from scorecards.spec import SpecError, load_specs, parse_spec
from warehouse import connect

FILE = "card.yaml"


def text(spec: str) -> str:
    """The spec's text, its first line being line 1."""
    return dedent(spec).lstrip("\n")


def problems(spec: str) -> list[str]:
    card, found = parse_spec(text(spec), FILE, DEFAULT_REGISTRY)
    assert card is None
    return found


def head(rules: str, *, levels: str = "[Bronze, Silver]", more: str = "") -> str:
    """A spec whose rules start on line 4."""
    return f"id: card\nlevels: {levels}\nrules:\n{dedent(rules).lstrip(chr(10))}{more}"


def test_bad_yaml_names_its_line() -> None:
    assert problems("""
        id: card
        levels: [Bronze
        rules: []
        """) == [f"{FILE}:3: bad YAML: expected ',' or ']', but got ':' (while parsing a flow sequence at line 2)"]


def test_a_key_given_twice_is_refused() -> None:
    assert problems(head("""
      - id: a
        level: Bronze
        check: {fact: owner, op: exists}
        check: {fact: team, op: exists}
    """)) == [f"{FILE}:7: key 'check' is given twice (first at line 6)"]


def test_an_unknown_operator_names_the_operators() -> None:
    assert problems(head("""
      - id: weekly
        level: Bronze
        check: {fact: dora.deploys_per_week, op: "=>", value: 1}
    """)) == [f"{FILE}:6: rule 'weekly': unknown operator '=>' (did you mean '>'?) (expected one of "
              "exists, not_exists, ==, !=, <, <=, >, >=, in, not_in, contains, matches)"]


def test_an_unknown_fact_suggests_the_closest_names() -> None:
    assert problems(head("""
      - id: weekly
        level: Bronze
        check: {fact: dora.deploy_per_week, op: ">=", value: 1}
      - id: paged
        level: Bronze
        check: {fact: annotation.pagerduty.com/service-id, op: exists}
      - id: mystery
        level: Bronze
        check: {fact: zzz, op: exists}
    """)) == [
        f"{FILE}:6: rule 'weekly': unknown fact 'dora.deploy_per_week' (did you mean 'dora.deploys_per_week' or "
        "'dora.deployments' or 'dora.deploy_frequency_tier'?); `pitwall scorecards facts` lists them",
        f"{FILE}:9: rule 'paged': unknown fact 'annotation.pagerduty.com/service-id' (did you mean "
        "'annotations.<key>'?); `pitwall scorecards facts` lists them",
        f"{FILE}:12: rule 'mystery': unknown fact 'zzz'; `pitwall scorecards facts` lists them",
    ]


def test_a_level_not_among_levels_is_refused() -> None:
    assert problems(head("""
      - id: a
        level: Silverr
        check: {fact: owner, op: exists}
    """)) == [f"{FILE}:5: rule 'a': level 'Silverr' is not among levels (Bronze, Silver) (did you mean 'Silver'?)"]


def test_a_duplicate_rule_id_names_the_first() -> None:
    assert problems(head("""
      - id: a
        level: Bronze
        check: {fact: owner, op: exists}
      - id: a
        level: Silver
        check: {fact: team, op: exists}
    """)) == [f"{FILE}:7: duplicate rule id 'a' (first at line 4)"]


def test_an_exemption_for_an_unknown_rule_is_refused() -> None:
    assert problems(head("""
      - id: weekly-deploys
        level: Bronze
        check: {fact: owner, op: exists}
    """, more="exemptions:\n  - {service: api, rule: weekly-deploy, reason: Frozen, expires: 2027-03-31}\n")) == [
        f"{FILE}:8: exemption: unknown rule 'weekly-deploy' (did you mean 'weekly-deploys'?) (rules: weekly-deploys)"]


def test_exemptions_need_a_service_a_reason_and_a_date_once_per_rule() -> None:
    exemptions = dedent("""
    exemptions:
      - {service: api, rule: a, expires: 2027-03-31}
      - {service: api, rule: a, reason: R, expires: 31/03/2027}
      - {service: api, rule: a, reason: R, expires: "2027-03-31"}
      - {service: api, rule: a, reason: Again, expires: 2027-04-30}
      - {rule: a, reason: R, expires: 2027-03-31, until: 2027-01-01}
    """)
    assert problems(head("""
      - id: a
        level: Bronze
        check: {fact: owner, op: exists}
    """, more=exemptions)) == [
        f"{FILE}:9: exemption: missing 'reason'",
        f"{FILE}:10: exemption: 'expires' must be a date (YYYY-MM-DD), got '31/03/2027'",
        f"{FILE}:12: exemption: 'api' is already exempt from 'a' (line 11)",
        f"{FILE}:13: exemption: unknown key 'until' (expected service, rule, reason, expires)",
        f"{FILE}:13: exemption: missing 'service'",
    ]


@pytest.mark.parametrize(("check", "message"), [
    ('{fact: owner, op: ">=", value: 1}', "rule 'r': '>=' needs a number fact; 'owner' is text"),
    ('{fact: dora.deployments, op: ">=", value: "1"}', "rule 'r': 'dora.deployments' is number: '>=' needs a "
                                                      "number, got '1'"),
    ("{fact: dora.deployments, op: '>=', value: true}", "rule 'r': 'dora.deployments' is number: '>=' needs a "
                                                        "number, got True"),
    ("{fact: dora.tier, op: in, value: elite}", "rule 'r': 'in' needs a non-empty list of text values, got 'elite'"),
    ("{fact: tags, op: in, value: [go]}", "rule 'r': 'in' compares one value; 'tags' is a list (use contains)"),
    ("{fact: dora.deployments, op: contains, value: '1'}", "rule 'r': 'contains' needs a list or text fact; "
                                                           "'dora.deployments' is number"),
    ("{fact: tags, op: contains, value: [go]}", "rule 'r': 'contains' needs a text value, got ['go']"),
    ("{fact: owner, op: matches, value: '(unclosed'}", "rule 'r': 'matches': bad regular expression '(unclosed': "
                                                       "missing ), unterminated subpattern at position 0"),
    ("{fact: repo.readme, op: '==', value: 'yes please'}", "rule 'r': 'repo.readme' is boolean: '==' needs true "
                                                            "or false, got 'yes please'"),
    ("{fact: owner, op: exists, value: x}", "rule 'r': 'exists' takes no value"),
    ("{fact: owner, op: '=='}", "rule 'r': '==' needs a value"),
    ("{fact: owner}", "rule 'r': missing 'op'"),
    ("{op: exists}", "rule 'r': missing 'fact'"),
    ("{fact: owner, op: exists, vaule: x}", "rule 'r': unknown key 'vaule' (did you mean 'value'?) "
                                            "(expected fact, op, value)"),
    ("{all: []}", "rule 'r': 'all' needs a non-empty list of checks"),
    ("{all: [{fact: owner, op: exists}], any: [{fact: owner, op: exists}]}",
     "rule 'r': a check is one of {fact, op, value}, {all: [...]}, {any: [...]} or {not: CHECK}, got keys all, any"),
    ("[owner, exists]", "rule 'r': a check must be a mapping: {fact, op, value}, {all: [...]}, {any: [...]} or "
                        "{not: CHECK}"),
])
def test_a_check_must_suit_its_fact_and_operator(check: str, message: str) -> None:
    assert problems(head(f"""
      - id: r
        level: Bronze
        check: {check}
    """)) == [f"{FILE}:6: {message}"]


def test_a_nested_check_is_located_on_its_own_line() -> None:
    assert problems(head("""
      - id: r
        level: Bronze
        check:
          all:
            - {fact: owner, op: exists}
            - not: {fact: dora.tierr, op: "==", value: elite}
    """)) == [f"{FILE}:9: rule 'r': unknown fact 'dora.tierr' (did you mean 'dora.tier' or "
              "'dora.recovery_tier' or 'dora.lead_time_tier'?); "
              "`pitwall scorecards facts` lists them"]


@pytest.mark.parametrize(("rule", "message"), [
    ("{id: r, level: Bronze, weight: 0, check: {fact: owner, op: exists}}",
     "rule 'r': weight must be a number above 0, got 0"),
    ("{id: r, level: Bronze, weight: true, check: {fact: owner, op: exists}}",
     "rule 'r': weight must be a number above 0, got True"),
    ("{id: r, level: Bronze}", "rule 'r': missing 'check'"),
    ("{level: Bronze, check: {fact: owner, op: exists}}", "rule: missing 'id'"),
    ("{id: r, level: Bronze, remediaton: x, check: {fact: owner, op: exists}}",
     "rule 'r': unknown key 'remediaton' (did you mean 'remediation'?) (expected id, title, level, weight, check, "
     "remediation)"),
])
def test_rule_fields(rule: str, message: str) -> None:
    assert problems(head(f"  - {rule}\n")) == [f"{FILE}:4: {message}"]


@pytest.mark.parametrize(("spec", "messages"), [
    ("id: card\nrules: []\n", [f"{FILE}:1: missing 'levels' (the level names, lowest first)",
                              f"{FILE}:2: rules must be a non-empty list"]),
    ("id: card\nlevels: [Gold, none, Gold]\nrules: [{id: r, level: Gold, check: {fact: owner, op: exists}}]\n",
     [f"{FILE}:2: levels are given twice: Gold", f"{FILE}:2: 'none' is reserved for services below the first level"]),
    ("id: card\napplies_to: {kind: component}\nlevels: [A]\n"
     "rules: [{id: r, level: A, check: {fact: owner, op: exists}}]\n",
     [f"{FILE}:2: applies_to: kind must be 'service', got 'component'"]),
    ("id: card\napplies_to: {lifecycles: [production]}\nlevels: [A]\n"
     "rules: [{id: r, level: A, check: {fact: owner, op: exists}}]\n",
     [f"{FILE}:2: applies_to: unknown key 'lifecycles' (did you mean 'lifecycle'?) (expected kind, type, lifecycle)"]),
    ("id: my card\nlevels: [A]\nrules: [{id: r, level: A, check: {fact: owner, op: exists}}]\ncolour: red\n",
     [f"{FILE}:4: unknown key 'colour' (expected id, title, description, applies_to, levels, rules, exemptions)",
      f"{FILE}:1: id 'my card' must be letters, digits, '-', '_' or '.'"]),
    ("- a\n- list\n", [f"{FILE}:1: a scorecard spec must be a mapping with id, levels and rules"]),
])
def test_the_scorecard_itself(spec: str, messages: list[str]) -> None:
    assert problems(spec) == messages


def test_every_problem_of_every_file_is_reported_and_ids_are_unique_across_files() -> None:
    good = head("  - {id: a, level: Bronze, check: {fact: owner, op: exists}}\n")
    bad = head("  - {id: a, level: Gold, check: {fact: owner, op: exists}}\n"
               "  - {id: b, level: Bronze, check: {fact: owner, op: is}}\n")
    with pytest.raises(SpecError) as caught:
        load_specs([("one.yaml", good), ("two.yaml", bad), ("three.yaml", good)], DEFAULT_REGISTRY)
    assert caught.value.messages == [
        "two.yaml:4: rule 'a': level 'Gold' is not among levels (Bronze, Silver)",
        "two.yaml:5: rule 'b': unknown operator 'is' (expected one of exists, not_exists, ==, !=, <, <=, >, >=, in, "
        "not_in, contains, matches)",
        "three.yaml:1: scorecard id 'card' is also the id of one.yaml",
    ]


# --- through the CLI ---------------------------------------------------------------------------

def test_the_cli_refuses_a_bad_spec_with_exit_2_and_stores_nothing(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    import_catalog(con, [write_catalog(tmp_path / "catalog-info.yaml", component("api"))])
    con.close()
    good = tmp_path / "good.yaml"
    good.write_text(head("  - {id: a, level: Bronze, check: {fact: owner, op: exists}}\n"))
    bad = tmp_path / "bad.yaml"
    rules = ("  - {id: a, level: Bronze, check: {fact: ownr, op: exists}}\n"
             "  - {id: a, level: Bronze, check: {fact: owner, op: exists}}\n")
    bad.write_text(head(rules).replace("id: card", "id: bad"))
    result = run_pitwall("--db", "w.duckdb", "scorecards", "evaluate", "--spec", str(good), "--spec", str(bad),
                         cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"{bad}:4: rule 'a': unknown fact 'ownr' (did you mean 'owner'?); `pitwall scorecards facts` lists them",
        f"{bad}:5: duplicate rule id 'a' (first at line 4)",
        "error: 2 problem(s); no scorecard was evaluated",
    ]
    missing = run_pitwall("--db", "w.duckdb", "scorecards", "evaluate", "--spec", "nope.yaml", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (2, "error: nope.yaml: no such file\n")
    con = connect(tmp_path / "w.duckdb", read_only=True)
    assert con.execute("SELECT count(*) FROM scorecard_results").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM scorecard_specs").fetchone() == (0,)
    con.close()
