"""Characters that change how text reads without being seen, made visible to staff.

Staff read names, subjects and addresses that readers typed. A right-to-left
override (U+202E) can make an address or a name read as something else, and a
zero-width space can make two different names look the same. In staff views the
`reveal` filter shows each such character as its code point, marked, and wraps
the text in <bdi>, so what it holds cannot reorder the text around it;
`visible` does the same in plain text, for titles and labels.
"""

from __future__ import annotations

import unicodedata

from flask import Flask
from markupsafe import Markup
from markupsafe import escape

# Format characters (Unicode category Cf) that scripts need: the zero-width
# non-joiner and joiner shape Persian and Indic words and join emoji sequences.
NEEDED = frozenset({"\u200c", "\u200d"})


def is_hidden(char: str) -> bool:
    """True for a format character (bidi controls, zero-width ones, tags) shown as nothing."""
    return unicodedata.category(char) == "Cf" and char not in NEEDED


def code_point(char: str) -> str:
    """U+202E and the like."""
    return f"U+{ord(char):04X}"


def visible(value: object) -> str:
    """The text with each hidden character written as [U+…]."""
    text = "" if value is None else str(value)
    if not any(is_hidden(char) for char in text):
        return text
    return "".join(f"[{code_point(c)}]" if is_hidden(c) else c for c in text)


def reveal(value: object) -> Markup:
    """The text, escaped, isolated in <bdi>, each hidden character shown and named."""
    text = "" if value is None else str(value)
    if not any(is_hidden(char) for char in text):
        return Markup("<bdi>%s</bdi>") % text
    parts = []
    for char in text:
        if is_hidden(char):
            name = unicodedata.name(char, "format character").lower()
            parts.append(
                Markup('<abbr class="hidden-char" title="{}">{}</abbr>').format(
                    name, code_point(char)
                )
            )
        else:
            parts.append(escape(char))
    return Markup("<bdi>") + Markup("").join(parts) + Markup("</bdi>")


def init_app(app: Flask) -> None:
    """Register the template filters."""
    app.jinja_env.filters["reveal"] = reveal
    app.jinja_env.filters["visible"] = visible
