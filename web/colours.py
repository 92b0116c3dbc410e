"""The site's accent colour: WCAG contrast, and the shades derived from one #rrggbb.

One colour cannot be a readable link colour on both the light page and the
dark one, so the colour an admin picks is the light mode's accent (it must
reach AA, 4.5:1, on the light page) and dark mode gets it mixed towards white
until it reads as well on the dark page. The hover, soft and text-on-accent
shades are derived in each mode, the text one picking black or white, whichever
contrasts more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEX = re.compile(r"^#[0-9a-f]{6}$")
# The page backgrounds, as tokens.css sets --bg in light and dark mode.
LIGHT_BG = "#fbfaf7"
DARK_BG = "#161514"
AA = 4.5
# Dark mode aims above the minimum: a mixed shade lands just past its target.
DARK_TARGET = 6.0
WHITE = "#ffffff"
BLACK = "#000000"
NEAR_BLACK = "#1d0f08"

RGB = tuple[float, float, float]


def _rgb(colour: str) -> RGB:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in _rgb(colour)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """colour with share (0 to 1) of other mixed in, in sRGB."""
    a, b = _rgb(colour), _rgb(other)
    return _hex(tuple(x + (y - x) * share for x, y in zip(a, b, strict=True)))  # type: ignore[arg-type]


def normalise(value: str) -> str:
    """A typed colour as lower-case #rrggbb (#abc grows to #aabbcc); else unchanged."""
    text = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        text = "#" + "".join(c * 2 for c in text[1:])
    return text


def accent_problem(colour: str) -> str | None:
    """Why colour cannot be the accent, or None."""
    if not HEX.match(colour):
        return "Write the colour as # and six hex digits, such as #1d5c80."
    ratio = contrast(colour, LIGHT_BG)
    if ratio < AA:
        return (
            f"Links in this colour contrast {ratio:.1f}:1 with the page; "
            f"choose a darker colour (at least {AA}:1)."
        )
    return None


@dataclass(frozen=True)
class Shades:
    accent: str
    hover: str
    fg: str
    soft: str


def _on(colour: str) -> str:
    """Black or white text, whichever reads better on colour."""
    if contrast(colour, WHITE) >= contrast(colour, NEAR_BLACK):
        return WHITE
    return NEAR_BLACK


def light_shades(colour: str) -> Shades:
    """The light mode's accent tokens for an accepted colour."""
    return Shades(
        colour, mix(colour, BLACK, 0.2), _on(colour), mix(colour, LIGHT_BG, 0.85)
    )


def dark_shades(colour: str) -> Shades:
    """The dark mode's: the colour lightened until it reads on the dark page."""
    share = 0.0
    accent = colour
    while contrast(accent, DARK_BG) < DARK_TARGET and share < 1:
        share = min(1.0, share + 0.05)
        accent = mix(colour, WHITE, share)
    return Shades(
        accent, mix(accent, WHITE, 0.25), _on(accent), mix(accent, DARK_BG, 0.8)
    )
