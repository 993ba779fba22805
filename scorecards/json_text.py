"""JSON text of a fact value, as `json.dumps` writes it, without its per-call cost for plain scalars.

Scorecards show tens of thousands of fact values per evaluation (rule reasons, stored values);
`json.dumps` spends most of its time setting up an encoder. Text, whole numbers, finite floats,
booleans and null are written directly with the json module's own string encoders; anything
else goes through `json.dumps` with the same options.
"""
from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["json_text"]

_LITERALS = {None: "null", True: "true", False: "false"}
_STRING = {True: json.encoder.encode_basestring_ascii, False: json.encoder.encode_basestring}


def json_text(value: Any, *, ensure_ascii: bool = True) -> str:
    """`json.dumps(value, default=str, ensure_ascii=ensure_ascii)`."""
    kind = type(value)
    if kind is str:
        return _STRING[ensure_ascii](value)
    if value is None or kind is bool:
        return _LITERALS[value]
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value, default=str, ensure_ascii=ensure_ascii)
