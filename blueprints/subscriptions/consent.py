"""A reader's wish to hear about comments, recorded with double opt-in.

record() runs inside the caller's write (the comment form's, or the "Follow
new comments" page's): it gets or creates the ReaderAddress, adds the
subscriptions that do not exist yet and, for an address not yet confirmed,
queues one confirmation mail, at most one per address per day, so nobody can
make Folio mail-bomb someone else's address. Nothing else is ever mailed to an
unconfirmed address (notices.py only picks confirmed ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blueprints.subscriptions.mails import confirmation_mail
from mail.outbox import enqueue
from models import CommentStatus
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from models import db
from models import utcnow

CONFIRMATION_EVERY = timedelta(hours=24)

CONFIRM_FIRST = (
    "We sent a link to confirm your email address: open it and you will get an "
    "email when {what}. Until then, nothing else is sent."
)
ACTIVE = "You will get an email when {what}."
REPLIES = "someone replies"
ARTICLE = "someone comments on this article"


@dataclass(frozen=True)
class Wish:
    """What a reader asked to hear about, on one article."""

    email: str
    article_id: int
    # The comment whose replies to announce (None: not asked).
    comment_id: int | None = None
    # Every new comment on the article.
    whole_article: bool = False

    @property
    def empty(self) -> bool:
        """True when nothing was asked."""
        return self.comment_id is None and not self.whole_article


def address_for(email: str) -> ReaderAddress:
    """The ReaderAddress of email (lower-cased), created if new; in the caller's write."""
    email = email.strip().lower()
    found = db.session.scalar(select(ReaderAddress).where(ReaderAddress.email == email))
    if found is not None:
        return found
    try:
        # A savepoint: another worker adding the same address at once is no error.
        with db.session.begin_nested():
            address = ReaderAddress(email=email)
            db.session.add(address)
        return address
    except IntegrityError:
        return db.session.scalars(
            select(ReaderAddress).where(ReaderAddress.email == email)
        ).one()


def _add(address: ReaderAddress, kind: SubscriptionKind, wish: Wish) -> None:
    comment_id = wish.comment_id if kind == SubscriptionKind.REPLIES else None
    exists = db.session.scalar(
        select(Subscription.id).where(
            Subscription.address_id == address.id,
            Subscription.kind == kind,
            Subscription.article_id == wish.article_id,
            Subscription.comment_id.is_(None)
            if comment_id is None
            else Subscription.comment_id == comment_id,
        )
    )
    if exists is None:
        db.session.add(
            Subscription(
                address_id=address.id,
                kind=kind,
                article_id=wish.article_id,
                comment_id=comment_id,
            )
        )


def ask_confirmation(address: ReaderAddress) -> bool:
    """Queue the confirmation mail unless one went in the last 24 hours."""
    now = utcnow()
    sent = address.confirmation_sent_at
    if sent is not None and now - sent < CONFIRMATION_EVERY:
        return False
    mail = confirmation_mail(address)
    enqueue([mail.to], mail.subject, mail.body)
    address.confirmation_sent_at = now
    return True


def record(wish: Wish) -> ReaderAddress | None:
    """Store the wish (and ask for confirmation if needed); in the caller's write."""
    if wish.empty:
        return None
    address = address_for(wish.email)
    db.session.flush()
    if wish.comment_id is not None:
        _add(address, SubscriptionKind.REPLIES, wish)
    if wish.whole_article:
        _add(address, SubscriptionKind.ARTICLE, wish)
    if address.confirmed_at is None:
        ask_confirmation(address)
    db.session.flush()
    return address


def record_from_comment(form, comment) -> None:
    """The comment form's boxes as a Wish for the comment just stored (same write).

    Not for a comment stored as spam: a bot ticking the boxes gets nothing mailed.
    """
    if comment.status == CommentStatus.SPAM:
        return
    record(
        Wish(
            email=comment.author_email,
            article_id=comment.article_id,
            comment_id=comment.id if form.notify_replies.data else None,
            whole_article=bool(form.notify_article.data),
        )
    )


def answer(form, comment) -> str:
    """What the comment's answer tells the reader about the boxes they ticked ("" none)."""
    if comment.status == CommentStatus.SPAM:
        return ""
    whats = [
        what
        for ticked, what in (
            (form.notify_replies.data, REPLIES),
            (form.notify_article.data, ARTICLE),
        )
        if ticked
    ]
    if not whats:
        return ""
    email = (form.email.data or "").strip().lower()
    confirmed = db.session.scalar(
        select(ReaderAddress.confirmed_at).where(ReaderAddress.email == email)
    )
    db.session.rollback()
    template = ACTIVE if confirmed is not None else CONFIRM_FIRST
    return template.format(what=" or ".join(whats))
