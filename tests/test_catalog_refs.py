"""Backstage entity references resolved to the ids Pitwall uses (DESIGN.md)."""
from __future__ import annotations

import re

import pytest

from ingest.catalog_refs import EntityRef, parse_ref


@pytest.mark.parametrize(("text", "namespace", "expected", "id_"), [
    ("group:default/payments", "default", EntityRef("group", "default", "payments"), "payments"),
    ("payments", "default", EntityRef("group", "default", "payments"), "payments"),
    ("group:other/payments", "default", EntityRef("group", "other", "payments"), "other/payments"),
    ("other/payments", "default", EntityRef("group", "other", "payments"), "other/payments"),
    ("payments", "ops", EntityRef("group", "ops", "payments"), "ops/payments"),  # the writer's namespace
    ("User:jdoe", "default", EntityRef("user", "default", "jdoe"), "jdoe"),      # kinds compare in lower case
    ("template:default/go-service", "default", EntityRef("template", "default", "go-service"), "go-service"),
    ("  spaced.name_1  ", "default", EntityRef("group", "default", "spaced.name_1"), "spaced.name_1"),
])
def test_references_resolve(text: str, namespace: str, expected: EntityRef, id_: str) -> None:
    ref = parse_ref(text, default_kind="group", namespace=namespace)
    assert (ref, ref.id) == (expected, id_)


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected an entity reference such as 'group:default/payments', got ''"),
    (42, "expected an entity reference such as 'group:default/payments', got 42"),
    ("1group:x", "'1group:x': '1group' is not a valid kind"),
    ("group:Default/x", "'group:Default/x': 'Default' is not a valid namespace (lower-case letters, digits and -)"),
    ("a/b/c", "'a/b/c': 'b/c' is not a valid entity name"),
    ("x--y", "'x--y': 'x--y' is not a valid entity name"),
    ("a" * 64, "is not a valid entity name"),
])
def test_malformed_references_are_refused(text: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_ref(text, default_kind="group")
