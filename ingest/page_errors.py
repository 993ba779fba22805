"""A provider answer the client cannot understand: bad input from that URL.

A page that parses as JSON but does not have the shape the provider documents (an object where
a list belongs, a field missing, null or of another type, a timestamp without an offset, a
number out of range) stops the sync with one line, `GET <url>: <what is wrong>`, exit 2. The
page commits nothing; pages committed before it stay, so the next run resumes after them.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError

from warehouse.shown import shown

__all__ = ["BadPage", "DATA_ERRORS", "reading", "describe"]

# What reading a page of the wrong shape raises: a missing key, a wrong type, a bad value.
DATA_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError)


class BadPage(Exception):
    """`GET <url>: <what is wrong>` (the URL is the client's, scrubbed of any credential)."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"GET {url}: {reason}")
        self.url = url


def describe(error: Exception) -> str:
    """What is wrong with the answer, in one short line."""
    if isinstance(error, ValidationError):
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        return f"{error.title}: field {where!r}: {message}" if where else f"{error.title}: {message}"
    if isinstance(error, KeyError):
        return f"a field is missing: {shown(error.args[0] if error.args else '')}"
    text = (str(error).splitlines() or [""])[0]
    if isinstance(error, (TypeError, AttributeError, IndexError)):
        return f"not the documented shape ({text})"
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


@contextmanager
def reading(url: str) -> Iterator[None]:
    """Turn what reading the answer from `url` raises on bad data into BadPage."""
    try:
        yield
    except BadPage:
        raise
    except DATA_ERRORS as error:
        raise BadPage(url, describe(error)) from None
