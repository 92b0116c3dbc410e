"""The random tokens staff credentials hand out, and the form they are stored in.

A session cookie, a password-reset link, a remembered browser and a recovery
code each carry a secret the database keeps only as its SHA-256: a leaked
table or backup opens nothing. The tokens are long and random, so a plain
hash (not a slow password hash) is enough.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A fresh 256-bit token, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The stored form of a token (undecodable characters cannot raise)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
