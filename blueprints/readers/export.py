"""Everything the site stores about one address, as one JSON document."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select

from blueprints.readers.erasure import readers_mails
from blueprints.readers.links import email_hash
from models import Comment
from models import CommentRevision
from models import OutboxMail
from models import ReaderAddress
from models import ReaderLink
from models import Subscription
from models import db
from models import utcnow


def _plain(value: Any) -> Any:
    """A column value as JSON can hold it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _columns(row: Any) -> dict[str, Any]:
    """Every column of a model instance."""
    return {
        column.key: _plain(getattr(row, column.key))
        for column in inspect(type(row)).column_attrs
    }


def export(email: str) -> dict[str, Any]:
    """The comments (all columns), revisions, address, subscriptions and link count."""
    email = email.strip().lower()
    comments = list(
        db.session.scalars(
            select(Comment).where(Comment.author_email == email).order_by(Comment.id)
        )
    )
    ids = [comment.id for comment in comments]
    revisions = db.session.scalars(
        select(CommentRevision)
        .where(CommentRevision.comment_id.in_(ids))
        .order_by(CommentRevision.id)
    )
    address = db.session.scalar(
        select(ReaderAddress).where(ReaderAddress.email == email)
    )
    subscriptions = (
        db.session.scalars(
            select(Subscription)
            .where(Subscription.address_id == address.id)
            .order_by(Subscription.id)
        )
        if address is not None
        else []
    )
    links = db.session.scalar(
        select(func.count(ReaderLink.id)).where(
            ReaderLink.email_hash == email_hash(email)
        )
    )
    mails = db.session.scalar(
        select(func.count(OutboxMail.id)).where(readers_mails(email, ids))
    )
    return {
        "email": email,
        "exported_at": utcnow().isoformat(),
        "comments": [_columns(comment) for comment in comments],
        "revisions": [_columns(revision) for revision in revisions],
        "reader_address": _columns(address) if address is not None else None,
        "subscriptions": [_columns(s) for s in subscriptions],
        "reader_links": links,
        # Mails queued or sent to the address (the links, say) or about the
        # comments (staff notices), kept by the outbox; erasing deletes them.
        "mails": mails,
    }
