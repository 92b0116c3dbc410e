"""Reading a WordPress export (WXR) file as a stream of records, safely."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from porting.wxr_build import author_record
from porting.wxr_build import channel_name
from porting.wxr_build import comment_record
from porting.wxr_build import header_field
from porting.wxr_build import header_record
from porting.wxr_build import item_record
from porting.wxr_build import record_kind
from porting.wxr_build import term_record
from porting.wxr_fields import Fields
from porting.wxr_names import wordpress_namespace
from porting.wxr_records import Author
from porting.wxr_records import CommentRecord
from porting.wxr_records import Header
from porting.wxr_records import ItemRecord
from porting.wxr_records import Term
from porting.wxr_records import WxrSummary
from porting.wxr_stream import WxrError
from porting.wxr_stream import channel_children
from porting.wxr_stream import open_wxr

__all__ = ["WxrError", "read_wxr", "scan_wxr", "wordpress_namespace"]

Source = str | os.PathLike | BinaryIO


def read_wxr(
    source: Source, comments: bool = True
) -> Iterator[Header | Author | Term | ItemRecord]:
    """The Header, then authors, terms and items in document order; WxrError
    when the XML is malformed, declares entities or is not RSS.

    Each item's comments are read as they stream by (their elements freed);
    comments=False leaves them out of the records (a pass that needs none).
    """
    fields: dict[str, str] = {}
    header_sent = False
    taken: list[CommentRecord] = []

    def take(element) -> bool:
        parent = element.getparent()
        if channel_name(element) != "wp:comment" or record_kind(parent) != "item":
            return False
        if comments:
            taken.append(comment_record(element))
        return True

    with open_wxr(source) as stream:
        for element in channel_children(stream, take):
            kind = record_kind(element)
            if kind is None:
                field = header_field(element)
                if field is not None:
                    fields.setdefault(*field)
                continue
            if not header_sent:
                header_sent = True
                yield header_record(fields)
            if kind == "item":
                yield item_record(element, tuple(taken))
                taken.clear()
            elif kind == "author":
                yield author_record(element)
            else:
                yield term_record(element, kind)
    if not header_sent:
        yield header_record(fields)


def scan_wxr(source: Source) -> WxrSummary:
    """Check the whole file is well-formed WXR-shaped XML and count what it holds,
    without building records (WxrError otherwise)."""
    kinds: Counter[str] = Counter()
    types: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    postmeta = 0
    version = None
    with open_wxr(source) as stream:
        for element in channel_children(stream):
            kind = record_kind(element)
            kinds[kind or ""] += 1
            if kind is None and version is None:
                field = header_field(element)
                if field is not None and field[0] == "wp:wxr_version":
                    version = field[1]
            if kind != "item":
                continue
            fields = Fields(element, repeated=("wp:postmeta", "wp:comment"))
            types[fields.text("wp:post_type")] += 1
            postmeta += len(fields.repeated["wp:postmeta"])
            for comment in fields.repeated["wp:comment"]:
                statuses[Fields(comment).text("wp:comment_approved")] += 1
        total_bytes = stream.bytes_read
    return WxrSummary(
        wxr_version=version,
        items=kinds["item"],
        items_by_type=dict(types),
        comments=sum(statuses.values()),
        comments_by_status=dict(statuses),
        authors=kinds["author"],
        categories=kinds["category"],
        tags=kinds["tag"],
        terms=kinds["term"],
        postmeta=postmeta,
        total_bytes=total_bytes,
    )
