"""A comment's removal, as comment_removed announces it after the commit.

A comment leaves when its author deletes it (kept as "deleted by its author"
under its replies), when its author erases their data, or when staff delete a
spam or trashed one for good. The snapshot is taken before, while the row is
whole; receivers get it once the removal has committed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from models import Comment
from models import db
from signals import comment_removed


class RemovalReason(enum.StrEnum):
    """Why a comment left."""

    AUTHOR = "author"
    ERASURE = "erasure"
    STAFF = "staff"


@dataclass(frozen=True)
class Removal:
    """A comment as it was before it was removed, with its article."""

    comment: StoredComment
    article: ArticleRef


def removal(comment: Comment) -> Removal:
    """The snapshot of a comment about to be removed."""
    return Removal(
        StoredComment.from_row(comment), ArticleRef.from_row(comment.article)
    )


def removals_by_email(email: str) -> list[Removal]:
    """Snapshots of every comment an address wrote (one query and one for the articles)."""
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.author_email == email.strip().lower())
        .options(selectinload(Comment.article))
    )
    return [removal(comment) for comment in comments]


def announce_removals(removals: Iterable[Removal], reason: RemovalReason) -> None:
    """Send comment_removed for each; call after the commit."""
    app = current_app._get_current_object()
    for gone in removals:
        comment_removed.send(
            app, comment=gone.comment, article=gone.article, reason=reason
        )
