"""Backstage entity references: `[kind:][namespace/]name`, resolved to the ids Pitwall uses.

An entity's id is its name in the default namespace and `namespace/name` elsewhere, so
`group:default/payments` and `payments` both resolve to `payments`, `group:other/payments` to
`other/payments`. As in Backstage, a reference without a namespace means the namespace of the
entity that writes it, and one without a kind the kind its field implies (spec.owner: Group).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from warehouse.shown import shown

__all__ = ["DEFAULT_NAMESPACE", "EntityRef", "entity_id", "parse_ref", "check_name", "check_namespace"]

DEFAULT_NAMESPACE = "default"
MAX_NAME_LENGTH = 63

# Backstage's rules: a name is sequences of letters and digits joined by single - _ or .;
# a namespace a DNS label (lower case); a kind letters and digits.
NAME = re.compile(r"[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*")
NAMESPACE = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def entity_id(namespace: str, name: str) -> str:
    """The id Pitwall gives an entity: `name`, or `namespace/name` outside the default namespace."""
    return name if namespace == DEFAULT_NAMESPACE else f"{namespace}/{name}"


def check_name(name: str) -> None:
    """ValueError unless `name` is a valid Backstage entity name."""
    if len(name) > MAX_NAME_LENGTH or not NAME.fullmatch(name):
        raise ValueError(f"{shown(name)} is not a valid entity name (letters and digits joined by - _ or ., "
                         f"at most {MAX_NAME_LENGTH} characters)")


def check_namespace(namespace: str) -> None:
    """ValueError unless `namespace` is a valid Backstage namespace."""
    if len(namespace) > MAX_NAME_LENGTH or not NAMESPACE.fullmatch(namespace):
        raise ValueError(f"{shown(namespace)} is not a valid namespace (lower-case letters, digits and -)")


@dataclass(frozen=True)
class EntityRef:
    """A resolved reference; `kind` in lower case (Backstage compares kinds case-insensitively)."""

    kind: str
    namespace: str
    name: str

    @property
    def id(self) -> str:
        return entity_id(self.namespace, self.name)

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"


def parse_ref(text: object, *, default_kind: str, namespace: str = DEFAULT_NAMESPACE) -> EntityRef:
    """Resolve `[kind:][namespace/]name` written by an entity of `namespace`; ValueError if malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"expected an entity reference such as 'group:default/payments', got {shown(text)}")
    rest = text.strip()
    kind = default_kind
    if ":" in rest:
        kind, rest = rest.split(":", 1)
        if not KIND.fullmatch(kind):
            raise ValueError(f"{shown(text)}: {shown(kind)} is not a valid kind")
    if "/" in rest:
        namespace, rest = rest.split("/", 1)
    try:
        check_namespace(namespace)
        check_name(rest)
    except ValueError as error:
        raise ValueError(f"{shown(text)}: {error}") from None
    return EntityRef(kind.lower(), namespace, rest)
