"""YAML loading that remembers lines, so every spec problem can name its `file:line`.

Mappings load as `LineMap` (a dict with the line it starts on and the line of each key);
everything else loads as PyYAML's safe loader makes it (so `2027-03-31` is a date).
"""
from __future__ import annotations

from typing import Any

import yaml

__all__ = ["LineMap", "YamlProblem", "load_yaml"]


class YamlProblem(ValueError):
    """The text is not YAML Pitwall can read; `line` is where the problem is."""

    def __init__(self, reason: str, line: int):
        super().__init__(reason)
        self.line = line


class LineMap(dict):
    """A YAML mapping: `line` where it starts, `key_lines[key]` where each key is written."""

    line: int = 1
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        """The line of `key`, else of the mapping."""
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    """The safe loader, building LineMaps and refusing a key written twice."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    mapping = LineMap()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)):
            raise YamlProblem(f"a mapping key must be text, got {type(key).__name__}", line)
        if key in mapping:
            raise YamlProblem(f"key '{key}' is given twice (first at line {mapping.key_lines[key]})", line)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date as PyYAML reads it; one that looks like a date but is none (2027-13-01) is a problem."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as error:
        raise YamlProblem(f"bad date '{node.value}': {error}", node.start_mark.line + 1) from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml(text: str) -> Any:
    """The one YAML document of `text` (None when empty); YamlProblem with the line when it is bad."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        # A problem at the end of the text is on its last line; the context says where it began.
        mark, context = error.problem_mark or error.context_mark, error.context_mark
        line = min(mark.line + 1, len(text.splitlines()) or 1) if mark else 1
        began = f" ({error.context} at line {context.line + 1})" if error.context and context and error.problem else ""
        raise YamlProblem(f"bad YAML: {error.problem or error.context}{began}", line) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (NUL, ...)
        line = text[:error.position].count("\n") + 1
        raise YamlProblem(f"bad YAML: {error.reason} (character #x{error.character:04x})", line) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"bad YAML: {error}", 1) from None
    except RecursionError:
        raise YamlProblem("bad YAML: nested too deeply", 1) from None
