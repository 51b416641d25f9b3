"""Bearer credentials that are random and long: made here, and kept only as a SHA-256.

Sessions (gridgov.sessions), wall devices (gridgov.devices) and the systems'
API tokens (gridgov.tokens) are each a random string handed out once; the
database keeps its digest, so a copy of a table signs nobody in. The string
has 256 bits of randomness, so a plain SHA-256 suffices (a slow hash is for
passwords people choose).
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh credential: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> bytes:
    """What is kept of a credential: its SHA-256 (any text is accepted; what is not ours matches nothing)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()
