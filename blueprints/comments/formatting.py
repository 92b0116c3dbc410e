"""Comment bodies: plain text turned into escaped paragraphs and links."""

from __future__ import annotations

import re

from markupsafe import Markup
from markupsafe import escape

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A URL ends before whitespace, angle brackets or quotes; trailing punctuation
# belongs to the sentence, not the link.
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def _linkify(line: str) -> str:
    """Escape one line of text, turning http(s) URLs into nofollow links."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(line):
        url = match.group(0)
        stripped = url.rstrip(_TRAILING)
        end = match.start() + len(stripped)
        parts.append(str(escape(line[position : match.start()])))
        href = escape(stripped)
        parts.append(f'<a href="{href}" rel="nofollow ugc noopener">{href}</a>')
        position = end
    parts.append(str(escape(line[position:])))
    return "".join(parts)


def format_body(text: str) -> Markup:
    """Render a comment's plain text as paragraphs; no HTML from the author survives."""
    normalized = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [
        p.strip("\n") for p in _PARAGRAPH_BREAK.split(normalized) if p.strip()
    ]
    html = []
    for paragraph in paragraphs:
        lines = [_linkify(line) for line in paragraph.split("\n")]
        html.append("<p>" + "<br>\n".join(lines) + "</p>")
    return Markup("\n".join(html))
