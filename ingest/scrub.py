"""Keeping a secret (a provider token) out of everything Pitwall prints or stores.

A hostile or careless server may echo the token back: in an error message, a reason phrase, an
ETag, a next-page link or a field of the data. `Scrubber` finds the token there in the forms it
can travel in (as is, URL-encoded, JSON-escaped, base64 in either alphabet at any byte alignment,
as inside `Basic base64(user:token)`) and blanks each out.
"""
from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

__all__ = ["Scrubber", "secret_forms", "PLACEHOLDER"]

PLACEHOLDER = "[token]"
MIN_ENCODED = 8
"""Encoded forms shorter than this are not blanked (they would match ordinary text)."""

_URLSAFE = str.maketrans("+/", "-_")


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 characters that depend on `raw` alone, for each of the three byte offsets it
    can start at inside a longer encoded string (the partial characters at both ends dropped)."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + raw).decode()
        start, end = -(-8 * shift // 6), 8 * (shift + len(raw)) // 6
        core = encoded[start:end]
        cores |= {core, core.translate(_URLSAFE)}
    return cores


def secret_forms(secret: str) -> tuple[str, ...]:
    """`secret` and its encodings worth blanking, longest first."""
    forms = {quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
             *_base64_cores(secret.encode())}
    kept = {form for form in forms if len(form) >= MIN_ENCODED} | {secret}
    return tuple(sorted(kept, key=lambda form: (-len(form), form)))


class Scrubber:
    """Blanks one secret (None: nothing to hide) out of text."""

    def __init__(self, secret: str | None):
        self._forms = secret_forms(secret) if secret else ()

    def __call__(self, text: str) -> str:
        """`text` with every form of the secret replaced by `[token]`."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, PLACEHOLDER)
        return text

    def finds(self, text: str) -> bool:
        """True when `text` carries the secret in any of its forms."""
        return any(form in text for form in self._forms)
