"""What the bulk import may check in SQL, read off the canonical pydantic models.

Each field of an event model becomes a `FieldSpec`: the JSON kind it accepts (a string, a
non-empty string, one of some strings, a timestamp, a bounded integer, a boolean, a list of
strings, a small nested object) and whether null or absence is allowed. A field whose type or
validators are not understood here gets no spec, and its event type is then left to the models
(`fast_models` omits it), so a change to the models can never make the SQL accept more than they do.
"""
from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Union

import annotated_types
from pydantic import BaseModel, BeforeValidator, Strict, WithJsonSchema
from pydantic.fields import FieldInfo

from warehouse.models import EVENT_MODELS, _default_source, _Record, parse_timestamp

__all__ = ["FieldSpec", "ModelSpec", "fast_models", "model_spec", "MODEL_CHECKS"]

# Model validators the SQL knows, as a condition on the fields that holds for a valid record.
# A model with any other model or field validator is left to pydantic.
MODEL_CHECKS: dict[tuple[str, str], str] = {
    ("Deployment", "_started_before_finished"): "NOT coalesce({started_at} > {finished_at}, false)",
    ("Incident", "_started_before_resolved"): "NOT coalesce({resolved_at} < {started_at}, false)",
}

# Model settings that do not change how a JSON value is validated or stored (strict: when false).
_NEUTRAL_CONFIG = {"extra", "strict", "frozen", "json_schema_extra", "title"}


@dataclass(frozen=True)
class FieldSpec:
    """One field: its name, JSON kind and constraints.

    kind: "str", "literal", "timestamp", "int", "bool", "list" (of strings) or "object".
    """

    name: str
    kind: str
    required: bool = False
    nullable: bool = False
    min_length: int = 0
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] = (-(2**63), 2**63 - 1)
    null_default: str | None = None  # null (or absence) stands for this value (`source`)
    item_min_length: int = 0
    fields: tuple[FieldSpec, ...] = ()  # of a nested object


@dataclass(frozen=True)
class ModelSpec:
    """An event type the SQL can check whole: its fields and its model checks."""

    event_type: str
    model: type[_Record]
    fields: tuple[FieldSpec, ...]
    checks: tuple[str, ...]


def fast_models() -> dict[str, ModelSpec]:
    """The event types whose every field and validator is understood, by type name."""
    specs = {event_type: model_spec(event_type, model) for event_type, model in EVENT_MODELS.items()}
    return {event_type: spec for event_type, spec in specs.items() if spec is not None}


def model_spec(event_type: str, model: type[_Record]) -> ModelSpec | None:
    """The spec of an event model, or None when a field or validator of it is not understood."""
    fields = _model_fields(model)
    checks = _model_checks(model)
    return ModelSpec(event_type, model, fields, checks) if fields is not None and checks is not None else None


def _model_checks(model: type[BaseModel]) -> tuple[str, ...] | None:
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.validators or decorators.root_validators:
        return None
    checks = []
    for name in decorators.model_validators:
        check = MODEL_CHECKS.get((model.__name__, name))
        if check is None:
            return None
        checks.append(check)
    return tuple(checks)


def _model_fields(model: type[BaseModel]) -> tuple[FieldSpec, ...] | None:
    """The specs of a model's fields, or None when one is not understood."""
    config = model.model_config
    if config.get("extra") != "forbid" or config.get("strict", False) or set(config) - _NEUTRAL_CONFIG:
        return None
    specs = []
    for name, info in model.model_fields.items():
        if info.alias is not None or info.validation_alias is not None:
            return None
        spec = _field(name, info)
        if spec is None:
            return None
        specs.append(spec)
    return tuple(specs)


def _field(name: str, info: FieldInfo) -> FieldSpec | None:
    """The spec of one field; None when its type or metadata is not understood."""
    annotation, nullable = _unwrap_optional(info.annotation)
    base, metadata = _flatten(annotation, list(info.metadata))
    if metadata is None:
        return None
    required = info.is_required()
    default = None if required else info.default
    plain = [m for m in metadata if not isinstance(m, (BeforeValidator, WithJsonSchema))]
    validators = [m.func for m in metadata if isinstance(m, BeforeValidator)]
    constraints: dict[str, Any] = {"required": required, "nullable": nullable}
    if typing.get_origin(base) is Literal:
        choices = typing.get_args(base)
        if plain or validators or not all(isinstance(choice, str) for choice in choices):
            return None
        if default is not None:  # the discriminator: `type`, which every line must name
            return FieldSpec(name, "literal", choices=choices, required=True) if choices == (default,) else None
        return FieldSpec(name, "literal", choices=choices, **constraints)
    if validators == [parse_timestamp] and base is datetime and not plain and default is None:
        return FieldSpec(name, "timestamp", **constraints)
    if validators == [_default_source] and base is str and not nullable and isinstance(default, str):
        constraints["null_default"] = default  # null or absent: the default
    elif validators or default is not None:
        return None
    if base is str:
        length = _min_length(plain)
        return FieldSpec(name, "str", min_length=length, **constraints) if length is not None else None
    if constraints.get("null_default") is not None:
        return None
    if base is int:
        return _integer(name, plain, constraints)
    if base is bool:
        return FieldSpec(name, "bool", **constraints) if _only_strict(plain) else None
    if typing.get_origin(base) is list and not plain:
        return _string_list(name, typing.get_args(base)[0], constraints)
    if isinstance(base, type) and issubclass(base, BaseModel) and not plain and nullable and not required:
        fields = _model_fields(base)
        if fields is None or _model_checks(base) != () or any(f.required or f.kind != "str" for f in fields):
            return None
        return FieldSpec(name, "object", fields=fields, **constraints)
    return None


def _integer(name: str, plain: list[Any], constraints: dict[str, Any]) -> FieldSpec | None:
    """A strict integer with its bounds (a lax one would take 1.0 and "1": left to pydantic)."""
    low, high = -(2**63), 2**63 - 1
    strict = False
    for item in plain:
        if isinstance(item, Strict):
            strict = item.strict
        elif isinstance(item, annotated_types.Ge):
            low = max(low, item.ge)
        elif isinstance(item, annotated_types.Le):
            high = min(high, item.le)
        else:
            return None
    return FieldSpec(name, "int", bounds=(low, high), **constraints) if strict else None


def _string_list(name: str, item: Any, constraints: dict[str, Any]) -> FieldSpec | None:
    """A list of (possibly non-empty) strings."""
    base, metadata = _flatten(item, [])
    if base is not str or metadata is None:
        return None
    length = _min_length(metadata)
    return FieldSpec(name, "list", item_min_length=length, **constraints) if length is not None else None


def _min_length(metadata: list[Any]) -> int | None:
    """0 or 1 for "any string" or "not empty"; None for any other constraint."""
    lengths = [m.min_length for m in metadata if isinstance(m, annotated_types.MinLen)]
    if len(lengths) != len(metadata) or max(lengths, default=0) > 1:
        return None
    return max(lengths, default=0)


def _only_strict(plain: list[Any]) -> bool:
    return len(plain) == 1 and isinstance(plain[0], Strict) and plain[0].strict


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """`X | None` -> (X, True); anything else -> (annotation, False)."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1 and len(typing.get_args(annotation)) == 2:
            return members[0], True
    return annotation, False


def _flatten(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any] | None]:
    """Annotated[...] layers (and FieldInfo metadata inside them) peeled into one metadata list."""
    found = list(metadata)
    while typing.get_origin(annotation) is Annotated:
        annotation, *extra = typing.get_args(annotation)
        for item in extra:
            if isinstance(item, FieldInfo):
                if item.annotation not in (None, type(None)) or item.default is not None and not item.is_required():
                    return annotation, None
                found.extend(item.metadata)
            else:
                found.append(item)
    return annotation, found
