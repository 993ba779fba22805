"""`pitwall catalog import PATH...`: a Backstage catalog into the warehouse.

Entities are read and checked by ingest.catalog_read (nothing is written when one file has a
problem). Then, in one transaction, everything of source "catalog" is replaced:

- every entity -> a `catalog_entities` row (what the scorecards' catalog facts read);
- a Component of type service or website -> a canonical `service` (team: the owning group;
  repos: the github.com/project-slug and gitlab.com/project-slug annotations and
  backstage.io/source-location when it points into a GitHub or GitLab repository);
- a Group -> a canonical `team` (parent: spec.parent);
- a User -> a `people` row (id: the login, metadata.name; team: its first spec.memberOf).

Entities gone from the catalog disappear on re-import, since the whole source is replaced.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pandas as pd

from ingest.catalog_read import BadCatalog, Catalog, Entity, read_catalog
from ingest.catalog_refs import EntityRef
from warehouse.models import Service, ServiceRepo, Team, _Record
from warehouse.store import delete_source, upsert_records
from warehouse.transaction import transaction

__all__ = ["SOURCE", "SERVICE_TYPES", "BadCatalog", "Catalog", "CatalogSummary", "read_catalog", "store_catalog",
           "import_catalog", "catalog_records", "is_service", "service_repos"]

SOURCE = "catalog"
SERVICE_TYPES = ("service", "website")
SLUG_ANNOTATIONS = ("github.com/project-slug", "gitlab.com/project-slug")
SOURCE_LOCATION = "backstage.io/source-location"

# Columns in table order (the frames are inserted by position).
ENTITY_COLUMNS = [
    "source", "ref", "kind", "namespace", "name", "entity_id", "api_version", "type", "title", "description",
    "owner", "team", "lifecycle", "system", "parent", "member_of", "tags", "annotations", "links", "template",
    "has_docs", "file", "line",
]
PEOPLE_COLUMNS = ["source", "id", "name", "email", "team"]


@dataclass
class CatalogSummary:
    """What an import wrote."""

    files: int
    kinds: Counter = field(default_factory=Counter)
    services: int = 0
    teams: int = 0
    people: int = 0

    def line(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.kinds.items())) or "no entities"
        return (f"catalog: imported {sum(self.kinds.values())} entities from {self.files} file(s) ({kinds}): "
                f"{self.services} services, {self.teams} teams, {self.people} people")


def is_service(entity: Entity) -> bool:
    """A Component of type service or website (any case)."""
    return entity.kind.lower() == "component" and (entity.type or "").lower() in SERVICE_TYPES


def _repo_in_url(location: str) -> tuple[str, str | None] | None:
    """(repo id, path inside it) of a GitHub or GitLab URL, else None.

    `url:https://github.com/acme/checkout/tree/main/services/web` -> ("acme/checkout", "services/web");
    GitLab: `https://gitlab.com/group/sub/project/-/tree/main/path` -> ("group/sub/project", "path").
    Enterprise hosts are recognised by their first label (github.example.com, gitlab.example.org).
    """
    url = urlparse(location.removeprefix("url:").strip())
    host = (url.hostname or "").lower()
    parts = [part for part in url.path.split("/") if part]
    if host == "github.com" or host.startswith("github."):
        if len(parts) < 2:
            return None
        inside = parts[4:] if len(parts) > 4 and parts[2] in ("tree", "blob") else []
        return f"{parts[0]}/{parts[1].removesuffix('.git')}", "/".join(inside) or None
    if host == "gitlab.com" or host.startswith("gitlab."):
        project, _, rest = "/".join(parts).partition("/-/")
        if "/" not in project:
            return None
        after = rest.split("/")
        inside = after[2:] if len(after) > 2 and after[0] in ("tree", "blob") else []
        return project.removesuffix(".git"), "/".join(inside) or None
    return None


def service_repos(entity: Entity) -> list[ServiceRepo]:
    """The repositories a service lives in, from its annotations (a monorepo path from the source location)."""
    links: dict[str, str | None] = {}
    for key in SLUG_ANNOTATIONS:
        slug = entity.annotations.get(key, "").strip().strip("/")
        if "/" in slug:
            links[slug] = None
    location = entity.annotations.get(SOURCE_LOCATION)
    found = _repo_in_url(location) if location else None
    if found is not None:
        repo, path = found
        links[repo] = path or links.get(repo)
    return [ServiceRepo(repo=repo, path=path) for repo, path in links.items()]


def _team_of(entity: Entity, users: dict[str, Entity]) -> str | None:
    """The owning team: a Group owner itself; a User owner's first group; otherwise none."""
    owner = entity.owner
    if owner is None:
        return None
    if owner.kind == "user":
        user = users.get(owner.id)
        return user.member_of[0].id if user is not None and user.member_of else None
    return owner.id if owner.kind == "group" else None


def _users(entities: list[Entity]) -> dict[str, Entity]:
    """The catalog's Users by id (a User owner's team is its first group)."""
    return {e.ref.id: e for e in entities if e.kind.lower() == "user"}


def catalog_records(entities: list[Entity], source: str = SOURCE) -> list[_Record]:
    """The canonical team and service records of the catalog."""
    users = _users(entities)
    records: list[_Record] = []
    for entity in entities:
        if entity.kind.lower() == "group":
            records.append(Team(source=source, id=entity.ref.id,
                                name=entity.display_name or entity.title or entity.name,
                                parent=entity.parent.id if entity.parent else None))
        elif is_service(entity):
            records.append(Service(source=source, id=entity.ref.id, name=entity.title or entity.name,
                                   team=_team_of(entity, users), lifecycle=entity.lifecycle,
                                   repos=service_repos(entity) or None, annotations=entity.annotations or None))
    return records


def _id(ref: EntityRef | None) -> str | None:
    return ref.id if ref is not None else None


def _entity_rows(entities: list[Entity], source: str) -> pd.DataFrame:
    users = _users(entities)
    rows = [[
        source, str(e.ref), e.kind, e.namespace, e.name, e.ref.id, e.api_version, e.type, e.title, e.description,
        _id(e.owner), _team_of(e, users), e.lifecycle, _id(e.system), _id(e.parent),
        [ref.id for ref in e.member_of], list(e.tags), json.dumps(e.annotations), json.dumps(list(e.links)),
        _id(e.template), e.has_docs, e.file, e.line,
    ] for e in entities]
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS)


def _people_rows(entities: list[Entity], source: str) -> pd.DataFrame:
    rows = [[source, e.ref.id, e.display_name or e.title or e.name, e.email,
             e.member_of[0].id if e.member_of else None]
            for e in entities if e.kind.lower() == "user"]
    return pd.DataFrame(rows, columns=PEOPLE_COLUMNS)


def _write(con: duckdb.DuckDBPyConnection, entities: list[Entity], source: str) -> tuple[dict[str, int], int]:
    """Replace `source` whole; the caller owns the transaction. Returns records per type and people."""
    delete_source(con, source)
    for table in ("catalog_entities", "people"):
        con.execute(f"DELETE FROM {table} WHERE source = ?", [source])
    written = upsert_records(con, catalog_records(entities, source))
    con.from_df(_entity_rows(entities, source)).insert_into("catalog_entities")
    people = _people_rows(entities, source)
    con.from_df(people).insert_into("people")
    return written, len(people)


def store_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog, *, source: str = SOURCE) -> CatalogSummary:
    """Replace everything of `source` by `catalog` in one transaction, and log the run."""
    with transaction(con):
        written, people = _write(con, catalog.entities, source)
        con.execute("INSERT INTO ingest_runs VALUES (?, ?, now(), ?)",
                    [source, ", ".join(p.name for p in catalog.files)[:500], len(catalog.entities)])
    return CatalogSummary(files=len(catalog.files), kinds=Counter(e.kind for e in catalog.entities),
                          services=written.get("service", 0), teams=written.get("team", 0), people=people)


def import_catalog(con: duckdb.DuckDBPyConnection, paths: list[Path], *, source: str = SOURCE) -> CatalogSummary:
    """Read and check every file first (BadCatalog: nothing written), then store the catalog."""
    return store_catalog(con, read_catalog(paths), source=source)
