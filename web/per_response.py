"""Rendered HTML cut where its per-response values were, joined with fresh ones.

The anonymous article page (page_cache.py) and the blank comment form
(comments/section.py) are the same for every reader but for the CSRF token,
the CSP nonce and the form's signed timestamp: they are rendered once, cut at
those values, and each response is one join.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The per-response values, in the order CachedPage.slots numbers them.
CSRF, NONCE, STAMP = 0, 1, 2


@dataclass(frozen=True)
class CachedPage:
    """Rendered HTML cut where its per-response values were, as UTF-8 bytes.

    ``parts`` holds the text around the values and ``slots`` which value goes
    in each gap (``CSRF``, ``NONCE`` or ``STAMP``), so a response is one join
    of ~77 KB rather than a search through it for markers.
    """

    parts: tuple[bytes, ...]
    slots: tuple[int, ...]

    @classmethod
    def split(cls, html: str, values: list[str | None]) -> CachedPage:
        """Cut html at every occurrence of values (indexed by slot; None: absent)."""
        found = {value: slot for slot, value in enumerate(values) if value}
        # Longest first, so a value that happened to contain another one wins.
        pattern = "|".join(map(re.escape, sorted(found, key=len, reverse=True)))
        pieces = re.split(f"({pattern})", html) if found else [html]
        return cls(
            parts=tuple(piece.encode() for piece in pieces[0::2]),
            slots=tuple(found[value] for value in pieces[1::2]),
        )

    def join(self, values: list[bytes]) -> bytes:
        """The page with values (indexed by slot) in its gaps."""
        chunks = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            chunks.append(values[slot])
            chunks.append(part)
        return b"".join(chunks)
