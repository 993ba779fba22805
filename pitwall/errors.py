"""Errors the CLI reports as one line: bad input (exit 2) versus runtime failure (exit 1)."""
from __future__ import annotations


class UserError(Exception):
    """Bad input or usage: reported as one line on stderr, exit code 2."""

    exit_code = 2
