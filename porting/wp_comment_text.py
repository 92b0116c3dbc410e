"""A WordPress comment's HTML as the plain text Folio stores for comments.

Folio renders comment text itself (blueprints/comments/formatting.py): blank
lines are paragraphs, newlines line breaks, http(s) URLs links. So the markup
WordPress allowed in comments becomes those plain-text conventions: a link
becomes its label and its URL, a quotation lines starting with "> ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from urllib.parse import quote
from urllib.parse import urlsplit

_PARAGRAPH_TAGS = frozenset(
    {"p", "div", "pre", "ul", "ol", "dl", "table", "hr", "h1", "h2", "h3", "h4"}
    | {"h5", "h6"}
)
_LINE_TAGS = frozenset({"br", "li", "dt", "dd", "tr"})
# Elements whose content is code or data, never text for readers.
_HIDDEN_TAGS = frozenset({"script", "style", "template"})
# Quotes nested deeper than this are read as part of the deepest: each level
# re-reads the text inside it.
MAX_QUOTE_DEPTH = 8
# Breaks that tags make, kept apart from the text's own newlines until the end:
# a tag's break and the source newline beside it are one break, not two.
_LINE = "\x00"
_PARAGRAPH = "\x01"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# A run of whitespace or breaks, but not a lone space (it stays as it is): most
# runs are the spaces between words, and a call of _whitespace for each one
# was most of the time a comment took.
_WHITESPACE = re.compile(r"(?! (?![\s\x00\x01]))[\s\x00\x01]+")
# Text with neither a tag nor a character reference reads as itself.
_MARKUP = re.compile(r"[<&]")
# Characters that end a URL in Folio's comment linkifier; percent-encoded so
# the whole URL stays one link.
_URL_SAFE = "/:?#[]@!$&()*+,;=%~"


def _whitespace(match: re.Match[str]) -> str:
    """One run of whitespace and breaks as a space, a newline or a blank line."""
    run = match.group(0)
    breaks = max(run.count("\n"), run.count(_LINE) + 2 * run.count(_PARAGRAPH))
    return "\n" * min(breaks, 2) if breaks else " "


def tidy(text: str) -> str:
    """Text whose whitespace and tag breaks are each one space, newline or blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _WHITESPACE.sub(_whitespace, text).strip()


def _web_url(href: str | None) -> str | None:
    """The href when it is an absolute http(s) URL, else None."""
    href = (href or "").strip()
    parts = urlsplit(href)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return href


@dataclass
class _Frame:
    """An element whose text is gathered before it joins its parent's."""

    tag: str
    href: str | None = None
    parts: list[str] = field(default_factory=list)


class _CommentReader(HTMLParser):
    """Gathers a comment's text, turning links, quotes and breaks into plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.frames = [_Frame("")]
        self.hidden = 0
        self.flattened_quotes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a link or quote frame, or mark a break."""
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        if self.hidden:
            return
        if tag == "a":
            self.frames.append(_Frame("a", href=_web_url(dict(attrs).get("href"))))
        elif tag == "blockquote":
            depth = sum(frame.tag == "blockquote" for frame in self.frames)
            if depth < MAX_QUOTE_DEPTH:
                self.frames.append(_Frame("blockquote"))
            else:
                self.flattened_quotes += 1
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close the frame the tag ends, or mark a break."""
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag == "blockquote" and self.flattened_quotes:
            self.flattened_quotes -= 1
        elif tag in ("a", "blockquote") and any(f.tag == tag for f in self.frames):
            while self.frames[-1].tag != tag:
                self._close()
            self._close()
        if tag not in _LINE_TAGS:
            self._break(tag)

    def handle_data(self, data: str) -> None:
        """Keep text, unless it is inside a script, style or template."""
        if not self.hidden:
            self.frames[-1].parts.append(_CONTROL.sub("", data))

    def _break(self, tag: str) -> None:
        """A blank line at a paragraph's edges, a newline at a line's start."""
        if tag in _PARAGRAPH_TAGS:
            self.frames[-1].parts.append(_PARAGRAPH)
        elif tag in _LINE_TAGS:
            self.frames[-1].parts.append(_LINE)

    def _close(self) -> None:
        """End the innermost frame, giving its text to the one around it."""
        frame = self.frames.pop()
        text = "".join(frame.parts)
        if frame.tag == "blockquote":
            quoted = tidy(text)
            lines = [f"> {line}" if line else ">" for line in quoted.split("\n")]
            text = _PARAGRAPH + "\n".join(lines) + _PARAGRAPH if quoted else ""
        elif frame.tag == "a":
            label = " ".join(tidy(text).split())
            url = quote(frame.href, safe=_URL_SAFE) if frame.href else None
            if url and label not in ("", frame.href, url):
                text = f"{label} ({url})"
            else:
                text = url or label
        self.frames[-1].parts.append(text)

    def text(self) -> str:
        """Everything read, with any element left open closed."""
        self.close()
        while len(self.frames) > 1:
            self._close()
        return tidy("".join(self.frames[0].parts))


def comment_text(raw_html: str) -> str:
    """A WordPress comment's HTML as Folio's plain comment text."""
    if not _MARKUP.search(raw_html or ""):
        return tidy(_CONTROL.sub("", raw_html or ""))
    reader = _CommentReader()
    reader.feed(raw_html or "")
    return reader.text()
