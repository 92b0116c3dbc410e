"""Gutenberg block content: the <!-- wp:name {attrs} --> delimiters around plain HTML."""

from __future__ import annotations

import re

# The block delimiter as WordPress's block parser (WP_Block_Parser) reads it:
# an optional closer slash, an optional namespace, the name, optional JSON
# attributes and an optional void slash. The attributes end at the first "}"
# followed by " -->" or " /-->", so a "}" inside a JSON string does not end them.
# The newline after a delimiter goes with it, so blocks stay a blank line apart.
_DELIMITER = re.compile(
    r"<!--\s+/?wp:(?:[a-z][a-z0-9_-]*/)?[a-z][a-z0-9_-]*\s+"
    r"(?:\{(?:(?:[^}]+|}+(?=})|(?!}\s+/?-->).)*+)?}\s+)?/?-->\n?",
    re.DOTALL,
)


def has_blocks(text: str) -> bool:
    """True when the content was written in the block editor, as WordPress's has_blocks()."""
    return "<!-- wp:" in (text or "")


def strip_block_delimiters(text: str) -> str:
    """The content with every block delimiter removed and the markup between them kept."""
    return _DELIMITER.sub("", text or "")
