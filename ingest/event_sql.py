"""DuckDB SQL that checks and extracts NDJSON event lines, generated from the field specs.

The check is deliberately narrower than the models: a line it accepts is one the models accept
with the very same values; any line it is unsure of (an unusual timestamp, a duplicate key, a
trailing comma, an event type it does not cover, ...) is handed to the models line by line.
The lines checked are `pitwall_chunk(seq BIGINT, line VARCHAR)`; `TYPES_QUERY` tells which event
types a chunk holds, `FastType.checked_query` extracts the lines of one type the SQL accepts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from ingest.event_fields import FieldSpec, ModelSpec, fast_models

__all__ = ["FastType", "fast_types", "TYPES_QUERY", "SQL_TYPES"]

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
# How json_transform reads each kind of field into the struct `s` (a list or object as its JSON
# text, checked further). Never trusted alone: lax, it turns 1 into "1" and "x" into NULL; the
# JSON types (`json_type`) say what the line holds.
STRUCT_TYPES = {"str": "VARCHAR", "literal": "VARCHAR", "timestamp": "VARCHAR", "int": "BIGINT",
                "bool": "BOOLEAN", "list": "JSON", "object": "JSON"}

# Each line's event type, counted: which types a chunk holds (NULL: no JSON object naming one).
TYPES_QUERY = """
SELECT try(json_extract_string(line, '$.type')) AS t, count(*) AS n FROM pitwall_chunk GROUP BY ALL
"""

# The lines of one type the SQL accepts, extracted. Each line is read three times by DuckDB's
# JSON reader: the JSON types at the fields' paths (`ty`), the fields as a struct (`s`) and the
# number of keys (`k`); then each field's type and value become a column (`t1`, `v1`, ...) that
# the check and the values read. A line with a NUL escape or what may be a trailing comma is left out.
CHECKED_QUERY = """
SELECT seq, {values} FROM (
    SELECT seq, k, {columns} FROM (
        SELECT seq, json_type(line, {paths}) AS ty, json_transform(line, {struct}) AS s, len(json_keys(line)) AS k
        FROM pitwall_chunk WHERE {where} NOT contains(line, '\\u0000') AND NOT ({closing})
    )
) WHERE {check}
"""
# The type of each line, when a chunk holds more than one type.
TYPE_FILTER = "try(json_extract_string(line, '$.type')) = {event_type} AND"


@dataclass(frozen=True)
class FastType:
    """An event type checked in SQL: its spec and the JSON paths of its (nested) fields.

    The path of `paths[i - 1]` gives the columns `t{i}` (its JSON type: NULL when absent, 'NULL'
    for null) and, for a top-level field, `v{i}` (its value as read into the struct).
    """

    spec: ModelSpec
    paths: tuple[str, ...]

    @property
    def event_type(self) -> str:
        return self.spec.event_type

    def index(self, *names: str) -> int:
        """The 1-based position of a (nested) field's path in `paths`."""
        return self.paths.index(_path(*names)) + 1

    def struct(self) -> str:
        """The json_transform structure reading each field of a line."""
        return json.dumps({field.name: STRUCT_TYPES[field.kind] for field in self.spec.fields})

    def check(self) -> str:
        """A predicate over the `t`, `v` and `k` columns of one line: true when it is valid."""
        # Every key is a known field named once exactly when the number of keys equals the
        # number of known fields found (a duplicate or an unknown key makes more keys).
        found = " + ".join(f"({self._kind(f.name)} IS NOT NULL)::INT" for f in self.spec.fields)
        parts = [f"k = {found}"]
        parts += [self._field_check(field, (field.name,)) for field in self.spec.fields]
        typed = {field.name: self._typed(field, (field.name,), lenient=True) for field in self.spec.fields}
        parts += [check.format(**typed) for check in self.spec.checks]
        return " AND ".join(f"({part})" for part in parts)

    def _kind(self, *names: str) -> str:
        return f"t{self.index(*names)}"

    def _value(self, names: tuple[str, ...]) -> str:
        """A field's value as read into `s` (a nested field's from its object's JSON text)."""
        if len(names) == 1:
            return f"v{self.index(*names)}"
        return f"json_extract_string(v{self.index(names[0])}, {_text(_path(*names[1:]))})"

    def _field_check(self, field: FieldSpec, names: tuple[str, ...]) -> str:
        """True when the field is valid: present with a valid value, or absent or null where allowed.
        (A WHERE evaluates the right side of AND and OR only where the left leaves it open.)"""
        kind = self._kind(*names)
        check = self._value_check(field, names, kind, self._value(names))
        if field.required:
            return check
        null_ok = field.nullable or field.null_default is not None
        return f"{kind} IS NULL OR " + (f"{kind} = 'NULL' OR " if null_ok else "") + f"({check})"

    def _value_check(self, field: FieldSpec, names: tuple[str, ...], kind: str, value: str) -> str:
        """The check of a present value: of the right JSON type, then a valid value. (The JSON
        functions read JSON text: the struct holds a list or an object as its JSON text.)"""
        if field.kind == "str":
            return f"{kind} = 'VARCHAR'" + (f" AND {value} <> ''" if field.min_length else "")
        if field.kind == "literal":
            return f"{kind} = 'VARCHAR' AND {value} IN ({', '.join(_text(c) for c in field.choices)})"
        if field.kind == "timestamp":  # the first four characters are the year: 0002 to 9998
            return (f"{kind} = 'VARCHAR' AND regexp_full_match({value}, '{TIMESTAMP_PATTERN}') "
                    f"AND {value} >= '0002' AND {value} < '9999' AND TRY_CAST({value} AS TIMESTAMPTZ) IS NOT NULL")
        if field.kind == "int":  # read as BIGINT: NULL when out of its range
            low, high = field.bounds
            return f"{kind} IN ('BIGINT', 'UBIGINT') AND {value} BETWEEN {low} AND {high}"
        if field.kind == "bool":
            return f"{kind} = 'BOOLEAN'"
        if field.kind == "list":
            empty = f" AND NOT list_contains(from_json({value}, '[\"VARCHAR\"]'), '')" if field.item_min_length else ""
            return f"{kind} = 'ARRAY' AND list_has_all(['VARCHAR'], json_type({value}, '$[*]')){empty}"
        if field.kind == "object":
            found = " + ".join(f"({self._kind(*names, sub.name)} IS NOT NULL)::INT" for sub in field.fields)
            subs = [self._field_check(sub, (*names, sub.name)) for sub in field.fields]
            return " AND ".join([f"{kind} = 'OBJECT'", f"len(json_keys({value})) = {found}", *(f"({s})" for s in subs)])
        raise ValueError(f"no SQL check for a {field.kind} field")

    def _typed(self, field: FieldSpec, names: tuple[str, ...], *, lenient: bool = False) -> str:
        """A field's value as its SQL value (TRY_CAST when `lenient`: used inside the check)."""
        value = self._value(names)
        if field.kind == "timestamp":
            return f"{'TRY_CAST' if lenient else 'CAST'}({value} AS TIMESTAMPTZ)"
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

    def checked_query(self, *, only_type: bool) -> str:
        """The (seq, columns...) of the lines of `pitwall_chunk(seq, line)` of this type that the SQL
        accepts; `only_type`: every line of the chunk names this type (no need to sort them out)."""
        values = ", ".join(value for _, _, value in self.columns())
        columns = ", ".join([*(f"ty[{i}] AS t{i}" for i in range(1, len(self.paths) + 1)),
                             *(f"s.{_quoted(f.name)} AS v{self.index(f.name)}" for f in self.spec.fields)])
        where = "" if only_type else TYPE_FILTER.format(event_type=_text(self.event_type))
        return CHECKED_QUERY.format(values=values, columns=columns, paths=_list(self.paths),
                                    struct=_text(self.struct()), where=where, closing=_closing(), check=self.check())


def fast_types() -> list[FastType]:
    """Every event type the SQL checks."""
    return [FastType(spec, tuple(_paths(spec.fields))) for spec in fast_models().values()]


def _closing() -> str:
    """True for a line that may hold a comma before `]` or `}`."""
    pairs = " OR ".join(f"contains(line, {_text(pair)})" for pair in CLOSING_PAIRS)
    return f"({pairs}) AND regexp_matches(line, '{TRAILING_COMMA}')"


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


def _quoted(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'

