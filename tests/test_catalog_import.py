"""`pitwall catalog import`: Backstage files into catalog entities, canonical services, teams and
people; edge cases of references, files and folders; all or nothing; re-import replaces."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import component, entity, row_counts, run_pitwall, write_catalog
from ingest.catalog import BadCatalog, import_catalog
from warehouse import connect


def services(con) -> list[tuple]:
    return con.execute("SELECT source, id, name, team, lifecycle FROM services ORDER BY id").fetchall()


def service_repos(con) -> list[tuple]:
    return con.execute("SELECT service, repo, path FROM service_repos ORDER BY service, repo").fetchall()


def entities(con) -> list[tuple]:
    return con.execute("SELECT ref, entity_id, owner, team FROM catalog_entities ORDER BY ref").fetchall()


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


# --- what an import writes --------------------------------------------------------------------

def test_a_file_with_several_documents_gives_services_teams_people_and_entities(tmp_path, con) -> None:
    path = write_catalog(
        tmp_path / "catalog-info.yaml",
        entity("Group", "payments", spec={"type": "team", "parent": "group:default/engineering",
                                          "profile": {"displayName": "Payments"}}),
        entity("User", "jdoe", spec={"memberOf": ["payments"], "profile": {"displayName": "Jo Doe",
                                                                          "email": "jo@acme.example"}}),
        component("payments-api", owner="group:default/payments", title="Payments API",
                  annotations={"github.com/project-slug": "acme/payments-api"}),
        component("pay-web", type="website", owner="payments", lifecycle="experimental"),
        component("payments-sdk", type="library", owner="payments"),
        entity("System", "payments-platform", spec={"owner": "payments"}),
    )
    summary = import_catalog(con, [path])
    assert summary.line() == ("catalog: imported 6 entities from 1 file(s) (3 Component, 1 Group, 1 System, 1 User): "
                              "2 services, 1 teams, 1 people")
    # only Components of type service or website are services; the title names them
    assert services(con) == [("catalog", "pay-web", "pay-web", "payments", "experimental"),
                             ("catalog", "payments-api", "Payments API", "payments", "production")]
    assert con.execute("SELECT source, id, name, parent FROM teams").fetchall() == [
        ("catalog", "payments", "Payments", "engineering")]
    assert con.execute("SELECT * FROM people").fetchall() == [
        ("catalog", "jdoe", "Jo Doe", "jo@acme.example", "payments")]
    assert service_repos(con) == [("payments-api", "acme/payments-api", "")]
    assert [row[0] for row in entities(con)] == [
        "component:default/pay-web", "component:default/payments-api", "component:default/payments-sdk",
        "group:default/payments", "system:default/payments-platform", "user:default/jdoe"]
    assert con.execute("SELECT source, target, records FROM ingest_runs").fetchall() == [
        ("catalog", "catalog-info.yaml", 6)]


def test_references_resolve_to_names_and_namespaces_stay_outside_the_default(tmp_path, con) -> None:
    path = write_catalog(
        tmp_path / "catalog-info.yaml",
        component("a", owner="group:default/payments"),
        component("b", owner="payments"),
        component("c", owner="group:other/payments"),
        component("d", owner="other/payments"),
        # no namespace in the ref: the entity's own namespace, as Backstage resolves it
        component("e", namespace="ops", owner="payments"),
        component("f", namespace="ops", owner="group:default/payments"),
        component("g", owner="Group:default/payments"),
    )
    import_catalog(con, [path])
    assert entities(con) == [
        ("component:default/a", "a", "payments", "payments"),
        ("component:default/b", "b", "payments", "payments"),
        ("component:default/c", "c", "other/payments", "other/payments"),
        ("component:default/d", "d", "other/payments", "other/payments"),
        ("component:default/g", "g", "payments", "payments"),
        ("component:ops/e", "ops/e", "ops/payments", "ops/payments"),
        ("component:ops/f", "ops/f", "payments", "payments"),
    ]
    assert [row[1] for row in services(con)] == ["a", "b", "c", "d", "g", "ops/e", "ops/f"]


def test_a_component_without_owner_is_imported_without_team(tmp_path, con) -> None:
    import_catalog(con, [write_catalog(tmp_path / "c.yaml", component("orphan", owner=None))])
    assert services(con) == [("catalog", "orphan", "orphan", None, "production")]
    assert entities(con) == [("component:default/orphan", "orphan", None, None)]


def test_a_user_owner_gives_the_team_of_its_first_group(tmp_path, con) -> None:
    import_catalog(con, [write_catalog(
        tmp_path / "c.yaml",
        entity("User", "jdoe", spec={"memberOf": ["group:default/data", "platform"]}),
        component("model", owner="user:jdoe"),
        component("stray", owner="user:nobody"),
    )])
    assert entities(con) == [("component:default/model", "model", "jdoe", "data"),
                             ("component:default/stray", "stray", "nobody", None),
                             ("user:default/jdoe", "jdoe", None, None)]


def test_repositories_come_from_slugs_and_github_or_gitlab_source_locations(tmp_path, con) -> None:
    import_catalog(con, [write_catalog(
        tmp_path / "c.yaml",
        # the slug and a source location inside the same repo: one link, with the monorepo path
        component("web", annotations={"github.com/project-slug": "acme/checkout",
                                      "backstage.io/source-location": "url:https://github.com/acme/checkout/tree/main/services/web/"}),
        component("lab", annotations={"gitlab.com/project-slug": "data/ml/lab"}),
        component("etl", annotations={
            "backstage.io/source-location": "url:https://gitlab.example.org/data/etl/-/tree/main/jobs"}),
        component("ghe", annotations={"backstage.io/source-location": "url:https://github.acme.com/ops/ghe.git"}),
        component("bb", annotations={"backstage.io/source-location": "url:https://bitbucket.org/acme/bb/src/main/"}),
        component("two", annotations={"github.com/project-slug": "acme/two",
                                      "backstage.io/source-location": "url:https://github.com/acme/other/blob/main/x/y.md"}),
    )])
    assert service_repos(con) == [
        ("etl", "data/etl", "jobs"),
        ("ghe", "ops/ghe", ""),
        ("lab", "data/ml/lab", ""),
        ("two", "acme/other", "x/y.md"),
        ("two", "acme/two", ""),
        ("web", "acme/checkout", "services/web"),
    ]


def test_has_docs_comes_from_techdocs_or_a_docs_link_and_the_template_is_resolved(tmp_path, con) -> None:
    import_catalog(con, [write_catalog(
        tmp_path / "c.yaml",
        component("a", annotations={"backstage.io/techdocs-ref": "dir:.",
                                    "backstage.io/source-template": "template:default/go-service"}),
        component("b", links=[{"url": "https://wiki.example/b", "title": "Team Docs"}]),
        component("c", links=[{"url": "https://runbooks.example/c", "title": "Runbook"}],
                  annotations={"backstage.io/source-template": "template:labs/py"}),
    )])
    rows = con.execute("SELECT name, has_docs, template FROM catalog_entities ORDER BY name").fetchall()
    assert rows == [("a", True, "go-service"), ("b", True, None), ("c", False, "labs/py")]


# --- files and folders --------------------------------------------------------------------------

def test_a_folder_is_searched_recursively_for_catalog_info_files_only(tmp_path, con) -> None:
    write_catalog(tmp_path / "cat" / "catalog-info.yaml", component("top"))
    write_catalog(tmp_path / "cat" / "teams" / "deep" / "catalog-info.yml", component("deep"))
    write_catalog(tmp_path / "cat" / "teams" / "other.yaml", component("ignored"))
    # a file named on the command line is read whatever its name
    named = write_catalog(tmp_path / "extra.yaml", component("named"))
    summary = import_catalog(con, [tmp_path / "cat", named])
    assert summary.files == 3
    assert [row[1] for row in services(con)] == ["deep", "named", "top"]


def test_entities_gone_from_the_catalog_are_removed_on_reimport_and_other_sources_stay(tmp_path, con) -> None:
    from helpers import service, team, write_ndjson
    from ingest.events import import_files
    import_files(con, [write_ndjson(tmp_path / "own.ndjson", [team("sre"), service("own", team="sre")])])
    first = write_catalog(tmp_path / "v1" / "catalog-info.yaml", component("keep"), component("gone"),
                          entity("Group", "old-team"), entity("User", "leaver", spec={"memberOf": ["old-team"]}))
    import_catalog(con, [first])
    second = write_catalog(tmp_path / "v2" / "catalog-info.yaml", component("keep", owner="new-team"),
                           entity("Group", "new-team"))
    import_catalog(con, [second])
    assert services(con) == [("catalog", "keep", "keep", "new-team", "production"),
                             ("import", "own", "own", "sre", None)]
    assert con.execute("SELECT source, id FROM teams ORDER BY id").fetchall() == [
        ("catalog", "new-team"), ("import", "sre")]
    assert con.execute("SELECT count(*) FROM people").fetchone() == (0,)
    assert [row[0] for row in entities(con)] == ["component:default/keep", "group:default/new-team"]
    assert con.execute("SELECT source FROM ingest_runs ORDER BY source").fetchall() == [("catalog",), ("import",)]


# --- bad input: file:line, nothing imported ---------------------------------------------------

def problems(paths: list[Path]) -> list[str]:
    with pytest.raises(BadCatalog) as caught:
        from ingest.catalog import read_catalog
        read_catalog(paths)
    return caught.value.messages


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ok\nspec:\n  type: service\n"


def test_bad_yaml_names_its_file_and_line(tmp_path) -> None:
    path = write_text(tmp_path / "c.yaml", GOOD + "---\napiVersion: v1\nkind: Component\nmetadata: {name: [x\n")
    # the end of the text is its last line; the context says where the list began
    assert problems([path]) == [f"{path}:10: bad YAML: expected ',' or ']', but got '<stream end>' "
                                "(while parsing a flow sequence at line 10)"]


def test_missing_required_fields_name_the_document_line(tmp_path) -> None:
    path = write_text(tmp_path / "c.yaml", (
        GOOD
        + "---\nkind: Component\nmetadata:\n  name: no-version\n"          # lines 7-10
        + "---\napiVersion: v1\nmetadata:\n  name: no-kind\n"             # lines 11-14
        + "---\napiVersion: v1\nkind: Group\nmetadata:\n  title: X\n"     # lines 15-19
        + "---\napiVersion: v1\nkind: Group\n"                           # lines 20-22
        + "---\n- just\n- a list\n"                                      # lines 23-25
    ))
    # a document's line is the line of its first key, just after its ---
    assert problems([path]) == [
        f"{path}:8: missing required field 'apiVersion'",
        f"{path}:12: missing required field 'kind'",
        f"{path}:16: missing required field 'metadata.name'",
        f"{path}:21: missing required field 'metadata'",
        f"{path}:24: expected an entity (a mapping with apiVersion, kind, metadata), got list",
    ]


def test_malformed_fields_and_refs_are_problems_too(tmp_path) -> None:
    path = write_catalog(
        tmp_path / "c.yaml",
        component("bad owner", owner="payments"),
        component("a", owner="group:default/"),
        component("b", annotations={"replicas": 3}),
        component("c", tags="go"),
        entity("User", "u", spec={"memberOf": ["has space"]}),
        component("d", annotations={"backstage.io/source-template": "template:x:y"}),
    )
    rule = "(letters and digits joined by - _ or ., at most 63 characters)"
    assert problems([path]) == [
        f"{path}:1: 'bad owner' is not a valid entity name {rule}",
        f"{path}:10: field 'spec.owner': 'group:default/': '' is not a valid entity name {rule}",
        f"{path}:19: annotation 'replicas': expected a string value, got 3 (quote it)",
        f"{path}:30: field 'metadata.tags': expected a list, got str",
        f"{path}:40: field 'spec.memberOf': 'has space': 'has space' is not a valid entity name {rule}",
        f"{path}:48: annotation backstage.io/source-template: 'template:x:y': 'x:y' is not a valid entity name {rule}",
    ]


def test_an_entity_defined_twice_is_a_problem(tmp_path) -> None:
    first = write_catalog(tmp_path / "a" / "catalog-info.yaml", component("api"))
    second = write_catalog(tmp_path / "b" / "catalog-info.yaml", component("other"), component("API"))
    assert problems([tmp_path]) == [
        f"{second}:10: component:default/API is already defined at {first}:1"]


def test_empty_documents_are_skipped(tmp_path, con) -> None:
    path = write_text(tmp_path / "c.yaml", "---\n" + GOOD + "---\n---\n# a comment only\n---\n")
    assert import_catalog(con, [path]).kinds == {"Component": 1}


def test_a_file_that_is_not_utf8_names_the_line(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(GOOD.encode() + b"---\nkind: Comp\xe9nent\n")
    assert problems([path]) == [f"{path}:8: not UTF-8 text"]


def test_missing_paths_and_empty_folders_are_problems(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    assert problems([tmp_path / "nope"]) == [f"{tmp_path / 'nope'}: no such file or folder"]
    assert problems([tmp_path / "empty"]) == [
        f"{tmp_path / 'empty'}: no catalog-info.yaml or catalog-info.yml in this folder"]


def test_the_cli_refuses_a_bad_file_with_exit_2_and_imports_nothing(tmp_path) -> None:
    good = write_catalog(tmp_path / "good" / "catalog-info.yaml", component("api"))
    assert run_pitwall("--db", "w.duckdb", "catalog", "import", str(good), cwd=tmp_path).returncode == 0
    con = connect(tmp_path / "w.duckdb", read_only=True)
    before = row_counts(con)
    con.close()
    bad = write_text(tmp_path / "bad.yaml", GOOD + "---\napiVersion: v1\nkind: Component\nmetadata:\n  title: x\n")
    result = run_pitwall("--db", "w.duckdb", "catalog", "import", str(good), str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"{bad}:8: missing required field 'metadata.name'",
                                          "error: 1 problem(s); nothing was imported"]
    assert result.stdout == ""
    con = connect(tmp_path / "w.duckdb", read_only=True)
    assert row_counts(con) == before
    assert con.execute("SELECT name FROM catalog_entities").fetchall() == [("api",)]
    con.close()


def test_the_cli_prints_one_summary_line(tmp_path) -> None:
    folder = tmp_path / "cat"
    write_catalog(folder / "catalog-info.yaml", component("api"), entity("Group", "core"))
    result = run_pitwall("--db", "w.duckdb", "catalog", "import", str(folder), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("catalog: imported 2 entities from 1 file(s) (1 Component, 1 Group): "
                             "1 services, 1 teams, 0 people\n")
