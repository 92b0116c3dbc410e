"""Parsing a WXR file safely and as a stream: the prolog guard, iterparse, errors."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from typing import BinaryIO

from lxml import etree

# Entities are never expanded, nothing is fetched; huge_tree lifts libxml2's limit
# on one text node so long posts parse.
PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": True,
}
CHUNK = 64 * 1024
MAX_PROLOG = 1024 * 1024
POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")
# What may come before the root element besides a DOCTYPE: XML whitespace, the
# XML declaration and other processing instructions, comments.
PROLOG_SKIP = re.compile(r"[ \t\r\n]+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
ROOT_START = re.compile(r"<[A-Za-z_:\u0080-\uffff]")


class WxrError(Exception):
    """The file cannot be read as WXR; line and column say where, when known."""

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        """Keep the parts; str() joins them into one line for humans."""
        super().__init__(message, line, column)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        """ "line 12, column 5: message", or less when the position is unknown."""
        if self.line is not None and self.column is not None:
            return f"line {self.line}, column {self.column}: {self.message}"
        if self.line is not None:
            return f"line {self.line}: {self.message}"
        return self.message


class GuardedStream:
    """A binary stream that counts the bytes read and refuses a DOCTYPE up front."""

    def __init__(self, raw: BinaryIO) -> None:
        """Read the prolog now: libxml2 expands entities in attributes even with
        resolve_entities=False, so a DTD must be refused before parsing starts."""
        self.raw = raw
        self.bytes_read = 0
        self.head = b""
        while True:
            chunk = raw.read(CHUNK)
            self.head += chunk
            if check_prolog(self.head, finished=not chunk):
                break
            if len(self.head) > MAX_PROLOG:
                raise WxrError("not a WXR file: no root element in its first megabyte")

    def read(self, size: int = -1) -> bytes:
        """The buffered prolog first, then the rest of the stream."""
        if self.head:
            size = len(self.head) if size < 0 else size
            data, self.head = self.head[:size], self.head[size:]
        else:
            data = self.raw.read(size)
        self.bytes_read += len(data)
        return data


def _prolog_text(head: bytes) -> str:
    """The start of the file as text, enough to find markup (ASCII or UTF-16)."""
    even = head[: len(head) // 2 * 2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return even.decode("utf-16", errors="replace")
    if head.startswith(b"<\x00"):
        return even.decode("utf-16-le", errors="replace")
    if head.startswith(b"\x00<"):
        return even.decode("utf-16-be", errors="replace")
    # Latin-1 never fails and keeps ASCII markup where it is in UTF-8 and friends.
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _refusal(message: str, text: str, index: int) -> WxrError:
    """A WxrError at a character index of the prolog."""
    line = text.count("\n", 0, index) + 1
    return WxrError(message, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def check_prolog(head: bytes, finished: bool) -> bool:
    """True when the markup before the root element holds no DOCTYPE (nor other
    declaration), False while more bytes are needed to tell; WxrError otherwise."""
    text = _prolog_text(head)
    position = 0
    while match := PROLOG_SKIP.match(text, position):
        position = match.end()
    if text.startswith(("<?", "<!--"), position):
        return finished  # unterminated so far; at the end, the parser reports it
    if text.startswith("<!", position):
        raise _refusal(
            "a DOCTYPE is not allowed in a WXR file (entity declarations are refused)",
            text,
            position,
        )
    if ROOT_START.match(text, position) or (finished and position == len(text)):
        return True  # the root element, or an empty file the parser reports
    if not finished and len(text) - position < 2:
        return False
    raise _refusal("not a WXR file: it does not start with XML markup", text, position)


@contextmanager
def open_wxr(source: str | os.PathLike | BinaryIO) -> Iterator[GuardedStream]:
    """A guarded stream over a path (opened and closed here) or an open binary file."""
    if isinstance(source, str | os.PathLike):
        try:
            raw = open(source, "rb")
        except OSError as error:
            raise WxrError(
                f"cannot read {os.fspath(source)}: {error.strerror}"
            ) from None
        with raw:
            yield GuardedStream(raw)
    else:
        yield GuardedStream(source)


def _fatal_entries(log: Iterable[Any]) -> list:
    """The log's well-formedness errors (namespace problems are only ERROR level)."""
    return [entry for entry in log if entry.level_name == "FATAL"]


def _syntax_error(error: etree.XMLSyntaxError, log: Iterable[Any]) -> WxrError:
    """The first fatal error libxml2 logged (the exception can be a later, vaguer
    one, such as "no element found" at line 0 after an undefined entity)."""
    fatal = _fatal_entries(log)
    if fatal:
        first = fatal[0]
        return WxrError(first.message.strip(), max(first.line, 1), max(first.column, 1))
    line, column = error.position
    message = POSITION_SUFFIX.sub("", error.msg or str(error))
    return WxrError(message, max(line, 1), max(column, 1))


def _forget(element: etree._Element) -> None:
    """Free a finished element and the siblings before it, so memory stays flat."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def channel_children(
    stream: GuardedStream,
    take_nested: Callable[[etree._Element], bool] | None = None,
) -> Iterator[etree._Element]:
    """Each finished child of rss/channel, in document order, freed once the
    caller has read it. Raises WxrError for bad XML or a file that is not RSS.

    take_nested sees each finished grandchild of the channel (an item's
    comment, say) first; one it takes (True) is freed at once, so an item
    with fifty thousand comments is never whole in memory.
    """
    context = etree.iterparse(stream, events=("start", "end"), **PARSER_OPTIONS)
    depth = 0
    in_channel = found_channel = finished = False
    try:
        for event, element in context:
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise WxrError(
                        f"not a WXR file: the root element is <{element.tag}>, not <rss>",
                        element.sourceline,
                    )
                if depth == 2 and element.tag == "channel":
                    in_channel = found_channel = True
                continue
            if depth == 4 and in_channel and take_nested and take_nested(element):
                element.clear()
                element.getparent().remove(element)
            elif depth == 3 and in_channel:
                yield element
                _forget(element)
            elif depth == 2:
                in_channel = False
                _forget(element)
            depth -= 1
            finished = depth == 0
    except etree.XMLSyntaxError as error:
        # lxml raises at the end for namespace errors too (a prefix bound to a URI
        # that is not valid, an unbound prefix), which WordPress and XML
        # well-formedness accept: the elements concerned are simply not WXR data.
        if not finished or _fatal_entries(context.error_log):
            raise _syntax_error(error, context.error_log) from None
    if not found_channel:
        raise WxrError("not a WXR file: no <channel> inside <rss>")
