"""How a value read from an input file is shown in a one-line error message."""
from __future__ import annotations

import reprlib

__all__ = ["shown"]

MAX_SHOWN = 60

_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxlist, _BRIEF.maxdict, _BRIEF.maxstring, _BRIEF.maxother = 2, 4, 4, MAX_SHOWN, MAX_SHOWN


def shown(value: object) -> str:
    """A string quoted, anything else as its abbreviated repr; short (a YAML alias can make a
    value vast) and on one line (line breaks, right-to-left and zero-width characters escaped)."""
    text = value if isinstance(value, str) else _BRIEF.repr(value)
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    text = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 3] + "..."
    return f"'{text}'" if isinstance(value, str) else text
