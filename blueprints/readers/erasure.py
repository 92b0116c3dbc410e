"""Erasing what the site stores about one address: comments, history,
subscriptions, links and the outbox's mails about them; staff see that it
happened, never what.

Comments with replies are anonymised in place so threads stay whole; the
others are deleted. A fixed number of statements, however many comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from blueprints.readers.edits import forget_waiting_notices
from blueprints.readers.edits import has_replies
from blueprints.readers.edits import withdraw_unsent_mails
from blueprints.readers.links import email_hash
from blueprints.staff.audit import record
from models import Article
from models import AuditAction
from models import Comment
from models import CommentRevision
from models import OutboxMail
from models import ReaderAddress
from models import ReaderLink
from models import Subscription
from models import SubscriptionNotice
from models import db
from models import utcnow

ANONYMOUS = {
    "author_name": "Anonymous",
    "author_email": "",
    "author_url": "",
    "ip": "",
    "user_agent": "",
    "body": "",
}


@dataclass(frozen=True)
class Erased:
    """How much was erased: counts only."""

    deleted: int
    anonymised: int
    revisions: int
    subscriptions: int
    links: int
    mails: int

    def detail(self) -> str:
        """The audit line's detail: numbers, never an address or a text."""
        return (
            f"{self.deleted} comments deleted, {self.anonymised} anonymised, "
            f"{self.revisions} revisions, {self.subscriptions} subscriptions, "
            f"{self.links} links, {self.mails} mails"
        )


def readers_mails(email: str, comment_ids: list[int]) -> ColumnElement[bool]:
    """The outbox rows about the reader, sent or not: mailed to the address (the
    links, say), tied to one of their comments (staff notices, which quote the
    author's name, address and text), or carrying one of their comments to
    another reader (reply notices quote it too)."""
    carried = select(SubscriptionNotice.outbox_id).where(
        SubscriptionNotice.comment_id.in_(comment_ids),
        SubscriptionNotice.outbox_id.is_not(None),
    )
    return or_(
        OutboxMail.to_addrs == email,
        OutboxMail.comment_id.in_(comment_ids),
        OutboxMail.id.in_(carried),
    )


def _count(statement) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def erase(email: str) -> Erased:
    """Erase everything stored about email, in the caller's write; audited."""
    email = email.strip().lower()
    rows = db.session.execute(
        select(Comment.id, Comment.article_id).where(Comment.author_email == email)
    ).all()
    ids = [row.id for row in rows]
    replied = has_replies(ids)
    gone = [i for i in ids if i not in replied]
    # Before the comments go (their rows would only lose the link to them).
    # Unsent digests first: the other readers' comments they carried wait again.
    mails = withdraw_unsent_mails(ids)
    mails += db.session.execute(
        delete(OutboxMail).where(readers_mails(email, ids))
    ).rowcount
    revisions = db.session.execute(
        delete(CommentRevision).where(CommentRevision.comment_id.in_(ids))
    ).rowcount
    if replied:
        forget_waiting_notices(list(replied))
        db.session.execute(
            update(Comment)
            .where(Comment.id.in_(replied))
            .values(**ANONYMOUS, removed_at=utcnow())
        )
    if gone:
        db.session.execute(delete(Comment).where(Comment.id.in_(gone)))
    subscriptions = _count(
        select(Subscription.id).join(ReaderAddress).where(ReaderAddress.email == email)
    )
    db.session.execute(delete(ReaderAddress).where(ReaderAddress.email == email))
    links = db.session.execute(
        delete(ReaderLink).where(ReaderLink.email_hash == email_hash(email))
    ).rowcount
    _refresh({row.article_id for row in rows})
    erased = Erased(len(gone), len(replied), revisions, subscriptions, links, mails)
    record(AuditAction.READER_ERASED, actor_label="a reader", detail=erased.detail())
    return erased


def _refresh(article_ids: set[int]) -> None:
    """Recount the touched articles (one pass each; their lists are cached again)."""
    if not article_ids:
        return
    articles = db.session.scalars(select(Article).where(Article.id.in_(article_ids)))
    for article in articles:
        article.refresh_comment_stats()
