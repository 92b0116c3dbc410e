"""Local avatars: an SVG identicon drawn from a keyed hash of the commenter's email.

The key is an HMAC of the normalised email with the app's secret key, so the
public hash can be neither reversed nor checked against a guessed address
without the key (unlike a plain MD5, as Gravatar uses). No third party is asked.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app

_SALT = b"folio.identicon:"
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
GRID = 5
CELL = 8
MARGIN = 4


def avatar_key(email: str) -> str:
    """The public avatar key for an email: 32 hex digits of a keyed hash."""
    secret = current_app.config["SECRET_KEY"].encode()
    normalised = (email or "").strip().lower().encode()
    return hmac.new(secret, _SALT + normalised, hashlib.sha256).hexdigest()[:32]


def identicon_svg(key: str) -> str:
    """A symmetric 5x5 identicon for an avatar key, as an SVG document."""
    digest = hashlib.sha256(key.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    # Mid tones, and a see-through tint behind them: readable on the light and
    # the dark page alike (the page shows it in a circle on its own surface).
    colour = f"hsl({hue} 50% 50%)"
    background = f"hsl({hue} 50% 55%)"
    size = GRID * CELL + 2 * MARGIN
    cells = []
    half = (GRID + 1) // 2
    for row in range(GRID):
        for col in range(half):
            bit = digest[2 + row * half + col] & 1
            if not bit:
                continue
            for x in {col, GRID - 1 - col}:
                cells.append(
                    f'<rect x="{MARGIN + x * CELL}" y="{MARGIN + row * CELL}" '
                    f'width="{CELL}" height="{CELL}"/>'
                )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}">'
        f'<rect width="{size}" height="{size}" fill="{background}" fill-opacity="0.2"/>'
        f'<g fill="{colour}">{"".join(cells)}</g></svg>'
    )
