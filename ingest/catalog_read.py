"""Reading Backstage catalog files into checked entities, with `file:line` for every problem.

A folder is searched recursively for `catalog-info.yaml` / `catalog-info.yml`; a file named
directly is read whatever its name. A file may hold several YAML documents (`---`), one entity
each; empty documents are skipped. Every entity needs apiVersion, kind and metadata.name; the
optional fields Pitwall reads must have the right shape when present.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest.catalog_refs import DEFAULT_NAMESPACE, EntityRef, check_name, check_namespace, parse_ref
from ingest.events import MAX_REPORTED
from warehouse.shown import shown

__all__ = ["CATALOG_FILE_NAMES", "BadCatalog", "Catalog", "Entity", "catalog_files", "read_catalog"]

CATALOG_FILE_NAMES = ("catalog-info.yaml", "catalog-info.yml")
TECHDOCS_ANNOTATION = "backstage.io/techdocs-ref"
TEMPLATE_ANNOTATION = "backstage.io/source-template"


class BadCatalog(Exception):
    """The catalog files hold problems; `messages` has up to MAX_REPORTED `file:line: reason` lines."""

    def __init__(self, messages: list[str], total: int):
        super().__init__(messages[0])
        self.messages = messages
        self.total = total


class _Problem(ValueError):
    """One problem of an entity (the reader adds its file and line) or of a whole file (`line` set)."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.line = line


@dataclass(frozen=True)
class Entity:
    """One catalog entity with the fields Pitwall uses, references resolved."""

    api_version: str
    kind: str
    namespace: str
    name: str
    file: str
    line: int
    title: str | None = None
    description: str | None = None
    type: str | None = None
    lifecycle: str | None = None
    owner: EntityRef | None = None
    system: EntityRef | None = None
    parent: EntityRef | None = None
    member_of: tuple[EntityRef, ...] = ()
    display_name: str | None = None
    email: str | None = None
    tags: tuple[str, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)
    links: tuple[dict[str, str], ...] = ()
    template: EntityRef | None = None

    @property
    def ref(self) -> EntityRef:
        return EntityRef(self.kind.lower(), self.namespace, self.name)

    @property
    def has_docs(self) -> bool:
        """A TechDocs annotation, or a link whose type or title speaks of docs."""
        if self.annotations.get(TECHDOCS_ANNOTATION, "").strip():
            return True
        return any("doc" in (link.get("type") or "").lower() or "doc" in (link.get("title") or "").lower()
                   for link in self.links)


@dataclass(frozen=True)
class Catalog:
    """The files read and the entities they define, in file order."""

    files: list[Path]
    entities: list[Entity]


def catalog_files(paths: list[Path]) -> list[Path]:
    """The files to read: files as named, folders searched recursively; BadCatalog if one is missing."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.name in CATALOG_FILE_NAMES and p.is_file())
            if not inside:
                raise BadCatalog([f"{path}: no {' or '.join(CATALOG_FILE_NAMES)} in this folder"], 1)
            found.extend(inside)
        else:
            raise BadCatalog([f"{path}: no such file or folder"], 1)
    return list(dict.fromkeys(found))


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping (one value would vanish)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {shown(key.value)} given twice", key.start_mark)
                seen.add(key.value)
        return super().construct_mapping(node, deep)


def _documents(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, data) of each non-empty YAML document of `path`; _Problem for bad YAML or text."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise _Problem("not UTF-8 text", line) from None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (NUL, ...)
        line = text[:error.position].count("\n") + 1
        raise _Problem(f"bad YAML: {error.reason} (character #x{error.character:04x})", line) from None
    try:
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            if data is not None:
                yield node.start_mark.line + 1, data
    except yaml.MarkedYAMLError as error:
        raise _Problem(*_yaml_problem(error, text)) from None
    except RecursionError:
        raise _Problem("bad YAML: nested too deeply", loader.get_mark().line + 1) from None
    finally:
        loader.dispose()


def _yaml_problem(error: yaml.MarkedYAMLError, text: str) -> tuple[str, int]:
    """(reason, line) of a YAML error; a problem at the end of the text is on its last line."""
    mark = error.problem_mark or error.context_mark
    line = min(mark.line + 1, len(text.splitlines()) or 1) if mark is not None else 1
    context = error.context_mark
    where = f" ({error.context} at line {context.line + 1})" if error.context and context and error.problem else ""
    return f"bad YAML: {error.problem or error.context}{where}", line


def _text(data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _Problem(f"missing required field '{where}{key}'")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Problem(f"field '{where}{key}': expected a non-empty string, got {shown(value)}")
    return value


def _mapping(data: dict[str, Any], key: str, where: str, *, required: bool = False) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise _Problem(f"missing required field '{where}{key}'")
        return {}
    if not isinstance(value, dict):
        raise _Problem(f"field '{where}{key}': expected a mapping, got {type(value).__name__}")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> tuple[Any, ...]:
    """The items of a list field (none when absent)."""
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Problem(f"field '{where}{key}': expected a list, got {type(value).__name__}")
    return tuple(value)


def _annotations(metadata: dict[str, Any]) -> dict[str, str]:
    annotations = _mapping(metadata, "annotations", "metadata.")
    for key, value in annotations.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise _Problem(f"annotation {shown(key)}: expected a string value, got {shown(value)} (quote it)")
    return annotations


def _links(metadata: dict[str, Any]) -> tuple[dict[str, str], ...]:
    links = []
    for index, link in enumerate(_list(metadata, "links", "metadata.")):
        where = f"metadata.links[{index}]."
        if not isinstance(link, dict):
            raise _Problem(f"field '{where[:-1]}': expected a mapping with a url")
        links.append({key: _text(link, key, where, required=key == "url")
                      for key in ("url", "title", "type") if key == "url" or link.get(key) is not None})
    return tuple(links)


def _ref(value: object, label: str, default_kind: str, namespace: str) -> EntityRef | None:
    """The reference `value` (None when absent) written by an entity of `namespace`."""
    if value is None:
        return None
    try:
        return parse_ref(value, default_kind=default_kind, namespace=namespace)
    except ValueError as error:
        raise _Problem(f"{label}: {error}") from None


def _entity(data: Any, file: str, line: int) -> Entity:
    """Check one document and build its entity; _Problem names what is wrong."""
    if not isinstance(data, dict):
        raise _Problem(f"expected an entity (a mapping with apiVersion, kind, metadata), got {type(data).__name__}")
    api_version = _text(data, "apiVersion", "", required=True)
    kind = _text(data, "kind", "", required=True)
    metadata = _mapping(data, "metadata", "", required=True)
    name = _text(metadata, "name", "metadata.", required=True)
    namespace = _text(metadata, "namespace", "metadata.") or DEFAULT_NAMESPACE
    try:
        check_name(name)
        check_namespace(namespace)
    except ValueError as error:
        raise _Problem(str(error)) from None
    spec = _mapping(data, "spec", "")
    profile = _mapping(spec, "profile", "spec.")
    tags = _list(metadata, "tags", "metadata.")
    if not all(isinstance(tag, str) for tag in tags):
        raise _Problem(f"field 'metadata.tags': expected a list of strings, got {shown(list(tags))}")
    annotations = _annotations(metadata)
    member_of = tuple(_ref(ref, "field 'spec.memberOf'", "group", namespace)
                      for ref in _list(spec, "memberOf", "spec."))
    return Entity(
        api_version=api_version, kind=kind, namespace=namespace, name=name, file=file, line=line,
        title=_text(metadata, "title", "metadata."), description=_text(metadata, "description", "metadata."),
        type=_text(spec, "type", "spec."), lifecycle=_text(spec, "lifecycle", "spec."),
        owner=_ref(spec.get("owner"), "field 'spec.owner'", "group", namespace),
        system=_ref(spec.get("system"), "field 'spec.system'", "system", namespace),
        parent=_ref(spec.get("parent"), "field 'spec.parent'", "group", namespace),
        member_of=member_of,
        display_name=_text(profile, "displayName", "spec.profile."), email=_text(profile, "email", "spec.profile."),
        tags=tags, annotations=annotations, links=_links(metadata),
        template=_ref(annotations.get(TEMPLATE_ANNOTATION), f"annotation {TEMPLATE_ANNOTATION}", "template",
                      namespace),
    )


def _read_file(path: Path, problems: list[str]) -> list[Entity]:
    """The entities of one file; problems are appended as `file:line: reason`."""
    entities = []
    try:
        for line, data in _documents(path):
            try:
                entities.append(_entity(data, str(path), line))
            except _Problem as problem:
                problems.append(f"{path}:{line}: {problem}")
    except _Problem as problem:  # bad YAML or text: the rest of the file cannot be read
        problems.append(f"{path}:{problem.line}: {problem}")
    return entities


def read_catalog(paths: list[Path]) -> Catalog:
    """Every entity of `paths` (files and folders), or BadCatalog listing the problems.

    An entity defined twice (same kind, namespace and name, compared case-insensitively, as
    Backstage does) is a problem too.
    """
    problems: list[str] = []
    entities: list[Entity] = []
    first_seen: dict[str, Entity] = {}
    files = catalog_files(paths)
    for path in files:
        for entity in _read_file(path, problems):
            key = str(entity.ref).lower()
            if key in first_seen:
                earlier = first_seen[key]
                problems.append(f"{entity.file}:{entity.line}: {entity.ref} is already defined at "
                                f"{earlier.file}:{earlier.line}")
                continue
            first_seen[key] = entity
            entities.append(entity)
    if not entities and not problems:  # importing nothing would empty the stored catalog
        problems.append(f"{', '.join(map(str, files))}: no catalog entities (the catalog would be emptied)")
    if problems:
        raise BadCatalog(problems[:MAX_REPORTED], len(problems))
    return Catalog(files, entities)
