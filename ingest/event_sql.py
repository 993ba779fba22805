"""DuckDB SQL that checks and extracts NDJSON event lines, generated from the field specs.

The check is deliberately narrower than the models: a line it accepts is one the models accept
with the very same values; any line it is unsure of (an unusual timestamp, a duplicate key, a
trailing comma, an event type it does not cover, ...) is handed to the models line by line.
The lines checked are `pitwall_chunk(seq BIGINT, line VARCHAR, t VARCHAR)`, t from `types_query`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ingest.event_fields import FieldSpec, ModelSpec, fast_models

__all__ = ["FastType", "fast_types", "types_query", "check_queries", "SQL_TYPES"]

# The timestamps checked in SQL: what both Python's fromisoformat and DuckDB read as the same
# instant. Years 0002-9998 so that no offset can carry the instant outside Python's range.
TIMESTAMP_PATTERN = (
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
# DuckDB's JSON reader takes a comma before `]` or `}`; Python's does not. A NUL escape is left
# to Python too. Both may also match inside a string: the line then merely goes the slow way.
# The pattern runs only on lines holding one of the pairs that can end such a comma (cheap to find).
TRAILING_COMMA = r",[ \t\n\r]*[\]}]"
CLOSING_PAIRS = tuple(a + b for a in ", \t\n\r" for b in "]}")

SQL_TYPES = {"str": "VARCHAR", "literal": "VARCHAR", "timestamp": "TIMESTAMPTZ", "int": "BIGINT",
             "bool": "BOOLEAN", "list": "VARCHAR[]"}

# Each line's event type, or NULL when it is no JSON or holds something only Python may judge.
TYPES_QUERY = """
SELECT seq, CASE WHEN NOT contains(line, '\\u0000') AND NOT ({closing})
            THEN try(json_extract_string(line, '$.type')) END AS t
FROM pitwall_chunk
"""

# The lines of one type: JSON types and values of its fields' paths, and the number of keys.
PARSE_QUERY = """
CREATE OR REPLACE TEMP TABLE pitwall_parsed AS
SELECT seq, json_type(line, {paths}) AS ty, json_extract_string(line, {paths}) AS v, len(json_keys(line)) AS k
FROM pitwall_chunk WHERE t = {event_type}
"""

CHECK_QUERY = """
CREATE OR REPLACE TEMP TABLE pitwall_checked AS
SELECT seq, v, coalesce({check}, false) AS ok FROM pitwall_parsed
"""


@dataclass(frozen=True)
class FastType:
    """An event type checked in SQL: its spec and the JSON paths of its (nested) fields."""

    spec: ModelSpec
    paths: tuple[str, ...]

    @property
    def event_type(self) -> str:
        return self.spec.event_type

    def index(self, *names: str) -> int:
        """The 1-based position of a (nested) field's path in `paths`."""
        return self.paths.index(_path(*names)) + 1

    def check(self) -> str:
        """A predicate over `ty` (JSON types), `v` (values as text) and `k` (keys) of one line."""
        # Every key is a known field named once exactly when the number of keys equals the
        # number of known fields found (a duplicate or an unknown key makes more keys).
        found = " + ".join(f"(ty[{self.index(f.name)}] IS NOT NULL)::INT" for f in self.spec.fields)
        parts = [f"k = {found}"]
        parts += [f"ty[{self.index(f.name)}] IS NOT NULL" for f in self.spec.fields if f.required]
        parts += [self._field_check(field, (field.name,)) for field in self.spec.fields]
        typed = {field.name: self._typed(field, (field.name,), lenient=True) for field in self.spec.fields}
        parts += [check.format(**typed) for check in self.spec.checks]
        return " AND ".join(f"({part})" for part in parts)

    def _kind(self, *names: str) -> str:
        return f"ty[{self.index(*names)}]"

    def _field_check(self, field: FieldSpec, names: tuple[str, ...]) -> str:
        i = self.index(*names)
        kind, value = f"ty[{i}]", f"v[{i}]"
        null_ok = "true" if field.nullable or field.null_default is not None else "false"
        return f"CASE WHEN {kind} IS NULL THEN true WHEN {kind} = 'NULL' THEN {null_ok} " \
               f"ELSE coalesce({self._value_check(field, names, kind, value)}, false) END"

    def _value_check(self, field: FieldSpec, names: tuple[str, ...], kind: str, value: str) -> str:
        """The check of a present, non-null value (JSON functions only under a CASE that makes
        sure the value is of the right JSON type: AND evaluates both sides)."""
        if field.kind == "str":
            return f"{kind} = 'VARCHAR'" + (f" AND {value} <> ''" if field.min_length else "")
        if field.kind == "literal":
            return f"{kind} = 'VARCHAR' AND {value} IN ({', '.join(_text(c) for c in field.choices)})"
        if field.kind == "timestamp":
            return (f"{kind} = 'VARCHAR' AND regexp_full_match({value}, '{TIMESTAMP_PATTERN}') "
                    f"AND {value}[1:4] BETWEEN '0002' AND '9998' "
                    f"AND TRY_CAST({value} AS TIMESTAMPTZ) IS NOT NULL")
        if field.kind == "int":
            low, high = field.bounds
            return f"{kind} IN ('BIGINT', 'UBIGINT') AND TRY_CAST({value} AS HUGEINT) BETWEEN {low} AND {high}"
        if field.kind == "bool":
            return f"{kind} = 'BOOLEAN'"
        if field.kind == "list":
            empty = f" AND NOT list_contains(from_json({value}, '[\"VARCHAR\"]'), '')" if field.item_min_length else ""
            return f"CASE WHEN {kind} = 'ARRAY' THEN list_has_all(['VARCHAR'], json_type({value}, '$[*]')){empty} END"
        if field.kind == "object":
            found = " + ".join(f"({self._kind(*names, sub.name)} IS NOT NULL)::INT" for sub in field.fields)
            subs = [self._field_check(sub, (*names, sub.name)) for sub in field.fields]
            checks = " AND ".join([f"len(json_keys({value})) = {found}", *subs])
            return f"CASE WHEN {kind} = 'OBJECT' THEN {checks} END"
        raise ValueError(f"no SQL check for a {field.kind} field")

    def _typed(self, field: FieldSpec, names: tuple[str, ...], *, lenient: bool = False) -> str:
        """A field's value as its SQL value (TRY_CAST when `lenient`: used inside the check)."""
        value = f"v[{self.index(*names)}]"
        cast = "TRY_CAST" if lenient else "CAST"
        if field.kind == "timestamp":
            return f"{cast}({value} AS TIMESTAMPTZ)"
        if field.kind == "int":
            return f"{cast}({value} AS BIGINT)"
        if field.kind == "bool":
            return f"{cast}({value} AS BOOLEAN)"
        if field.kind == "list":
            return f"from_json({value}, '[\"VARCHAR\"]')"
        if field.null_default is not None:
            return f"coalesce({value}, {_text(field.null_default)})"
        return value

    def columns(self) -> list[tuple[str, str, str]]:
        """(warehouse column, SQL type, value over `v`) of each field; nested objects flattened
        (`caused_by.sha` -> `caused_by_sha`), as `warehouse.store` stores a record."""
        columns = []
        for field in self.spec.fields:
            if field.kind == "object":
                columns += [(f"{field.name}_{sub.name}", SQL_TYPES[sub.kind], self._typed(sub, (field.name, sub.name)))
                            for sub in field.fields]
            elif field.name != "type":
                columns.append((field.name, SQL_TYPES[field.kind], self._typed(field, (field.name,))))
        return columns


def fast_types() -> list[FastType]:
    """Every event type the SQL checks."""
    return [FastType(spec, tuple(_paths(spec.fields))) for spec in fast_models().values()]


def types_query() -> str:
    """The query giving the event type `t` of each line of `pitwall_chunk(seq, line)`, in order."""
    pairs = " OR ".join(f"contains(line, {_text(pair)})" for pair in CLOSING_PAIRS)
    return TYPES_QUERY.format(closing=f"({pairs}) AND regexp_matches(line, '{TRAILING_COMMA}')")


def check_queries(fast: FastType) -> tuple[str, str]:
    """The statements making `pitwall_parsed` of one type's lines, then `pitwall_checked(seq, v, ok)`."""
    parse = PARSE_QUERY.format(paths=_list(fast.paths), event_type=_text(fast.event_type))
    return parse, CHECK_QUERY.format(check=fast.check())


def _paths(fields: tuple[FieldSpec, ...], prefix: tuple[str, ...] = ()) -> list[str]:
    paths = []
    for field in fields:
        paths.append(_path(*prefix, field.name))
        paths += _paths(field.fields, (*prefix, field.name))
    return paths


def _path(*names: str) -> str:
    return "$" + "".join(f'."{name}"' for name in names)


def _text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(_text(value) for value in values) + "]"
