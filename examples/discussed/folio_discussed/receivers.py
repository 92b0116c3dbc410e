"""The signal receivers that keep the counts: each its own short write.

The comment and article they get are the snapshots signals.py describes
(comment.id, .article_id, .status, .kind, .created_at are what is read here):
only approved comments count, never pingbacks or trackbacks.

Both run after the comment's own transaction committed. A count that cannot be
written (the write lock stayed busy) is logged and skipped rather than failing
the reader's request: "Recount from comments" on the staff page repairs it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from folio_discussed.activity import add
from folio_discussed.activity import utc_day
from models import CommentKind
from models import CommentStatus
from plugins.api import write_transaction


def _count(app: Flask, comment: Any, delta: int) -> None:
    """Add delta to the comment's article on the comment's own day."""
    if comment.kind != CommentKind.COMMENT:
        return
    try:
        with write_transaction():
            add(comment.article_id, utc_day(comment.created_at), delta)
    except SQLAlchemyError:
        app.logger.exception("discussed: comment %s not counted", comment.id)


def on_comment_created(app: Flask, comment: Any, article: Any, **extra: object) -> None:
    """A comment stored approved (a trusted reader's, a staff reply) counts."""
    if comment.status == CommentStatus.APPROVED:
        _count(app, comment, +1)


def on_comment_status_changed(
    app: Flask,
    comment: Any,
    article: Any,
    previous: CommentStatus,
    **extra: object,
) -> None:
    """Approved counts one in; leaving approved (spam, trash, pending) one out."""
    approved = comment.status == CommentStatus.APPROVED
    if approved and previous != CommentStatus.APPROVED:
        _count(app, comment, +1)
    elif previous == CommentStatus.APPROVED and not approved:
        _count(app, comment, -1)


def on_comment_removed(
    app: Flask, comment: Any, article: Any, reason: str, **extra: object
) -> None:
    """An approved comment removed (by its author, erasure or staff) counts one out."""
    if comment.status == CommentStatus.APPROVED:
        _count(app, comment, -1)
