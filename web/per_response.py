"""Rendered HTML cut where its per-response values were, joined with fresh ones.

A cached page (page_cache.py) and the blank comment form (comments/section.py)
are the same for every reader but for a few values: the CSRF token, the CSP
nonce, a form's signed timestamp, a remembered commenter's details. They are
rendered once, cut at those values, and each response is one join.

Values are named (``CSRF``, ``NONCE`` or any name a view declares). The token
and the nonce are found by their own text, which is random and long; every
other value is rendered as a marker (``marker()``), so a reader's name that
also occurs in an article is never mistaken for the place their name goes.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

CSRF = "csrf"
NONCE = "nonce"


def marker() -> str:
    """A unique stand-in for a value: letters and digits, so escaping keeps it whole."""
    return "folioslot" + secrets.token_hex(16)


@dataclass(frozen=True)
class CachedPage:
    """Rendered HTML cut where its per-response values were, as UTF-8 bytes.

    ``parts`` holds the text around the values and ``slots`` the name of the
    value in each gap, so a response is one join of the whole page rather than
    a search through it.
    """

    parts: tuple[bytes, ...]
    slots: tuple[str, ...]

    @classmethod
    def split(cls, html: str, values: Mapping[str, str | None]) -> CachedPage:
        """Cut html at every occurrence of each value (by slot name; None: absent)."""
        found = {text: name for name, text in values.items() if text}
        # Longest first, so a value that happened to contain another one wins.
        pattern = "|".join(map(re.escape, sorted(found, key=len, reverse=True)))
        pieces = re.split(f"({pattern})", html) if found else [html]
        return cls(
            parts=tuple(piece.encode() for piece in pieces[0::2]),
            slots=tuple(found[text] for text in pieces[1::2]),
        )

    def join(self, values: Mapping[str, bytes]) -> bytes:
        """The page with values (by slot name) in its gaps."""
        chunks = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            chunks.append(values[slot])
            chunks.append(part)
        return b"".join(chunks)
