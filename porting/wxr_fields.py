"""Decoding WXR fields as WordPress reads them: text, trimmed scalars, ids, dates, slugs."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from urllib.parse import unquote

from lxml import etree

from porting.wxr_names import field_name

# PHP's trim() set: other Unicode spaces and invisible characters are data.
PHP_WHITESPACE = " \t\n\r\0\x0b"
LEADING_INT = re.compile(r"[+-]?\d+")


def element_text(element: etree._Element) -> str:
    """The element's own text (CDATA sections joined), as SimpleXML's string cast."""
    if len(element) == 0:
        return element.text or ""
    # Comments or processing instructions split the text; their tails are text too.
    return (element.text or "") + "".join(child.tail or "" for child in element)


def trim(text: str) -> str:
    """Text without the surrounding whitespace PHP's trim() removes."""
    return text.strip(PHP_WHITESPACE)


def integer(text: str, default: int = 0) -> int:
    """The leading integer of a field, as PHP's (int) cast reads it, or default."""
    match = LEADING_INT.match(trim(text))
    return int(match.group()) if match else default


def optional_id(text: str) -> int | None:
    """A WordPress id: a positive integer, or None when empty, 0 or not a number."""
    value = integer(text)
    return value if value > 0 else None


def _datetime(text: str) -> datetime | None:
    """A MySQL-style date and time; None for empty, zero or unparseable values."""
    try:
        return datetime.fromisoformat(trim(text))
    except ValueError:
        return None


def gmt_datetime(text: str) -> datetime | None:
    """A `*_gmt` field as an aware UTC datetime."""
    value = _datetime(text)
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_datetime(text: str) -> datetime | None:
    """A site-local date (`post_date`, `comment_date`) as a naive datetime."""
    value = _datetime(text)
    return None if value is None else value.replace(tzinfo=None)


def slug(text: str) -> str:
    """A slug decoded: WordPress stores non-ASCII slugs percent-encoded."""
    return unquote(trim(text))


def term_name(text: str) -> str:
    """A term name unescaped once: WordPress exports names HTML-escaped (`&amp;`)."""
    return html.unescape(trim(text))


class Fields:
    """The children of one element by meaning: the first of each name, and all of
    the repeated ones (postmeta, comments, categories)."""

    __slots__ = ("first", "repeated")

    def __init__(self, element: etree._Element, repeated: Iterable[str] = ()) -> None:
        """Index the element's children once."""
        self.first: dict[str, etree._Element] = {}
        self.repeated: dict[str, list[etree._Element]] = {name: [] for name in repeated}
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comments and processing instructions
            name = field_name(tag)
            if name is None:
                continue
            self.first.setdefault(name, child)
            if name in self.repeated:
                self.repeated[name].append(child)

    def raw(self, name: str) -> str:
        """The first such child's text, untouched; "" when absent."""
        child = self.first.get(name)
        return "" if child is None else element_text(child)

    def text(self, name: str) -> str:
        """The first such child's text, trimmed."""
        return trim(self.raw(name))

    def meta(self, name: str) -> tuple[tuple[str, str], ...]:
        """(key, value) pairs of the repeated meta children (postmeta, commentmeta, termmeta)."""
        pairs = []
        for child in self.repeated[name]:
            fields = Fields(child)
            pairs.append((fields.text("wp:meta_key"), fields.raw("wp:meta_value")))
        return tuple(pairs)
