"""A reader's wish to hear about comments, recorded with double opt-in.

record() runs inside the caller's write (the comment form's, or the "Follow
new comments" page's). Typing an address proves nothing, so every new
subscription starts unconfirmed (Subscription.confirmed_at NULL) and nothing
is mailed for it until the reader opens the confirmation link. That mail lists
what it asks about; its link proves the address, and its page confirms the
wishes it lists (every one still waiting when it is shown). At most one confirmation mail per
address per day (so nobody can make Folio mail-bomb someone else's address): a
wish made inside that day waits for the link already mailed, and the next
wish after it sends a new confirmation covering everything still waiting.

On PostgreSQL the address row is locked (FOR UPDATE) while a wish is recorded,
so two wishes of one address never interleave; the mail is claimed with a
conditional UPDATE, and a duplicate insert is caught in a SAVEPOINT. SQLite has
one writer at a time (the write lock), so there the check before an insert is
enough and no SAVEPOINT is spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from blueprints.subscriptions.mails import confirmation_mail
from mail.outbox import enqueue
from models import Article
from models import CommentStatus
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from models import db
from models import utcnow

CONFIRMATION_EVERY = timedelta(hours=24)

# The same words whether the address is new, waiting or confirmed: the answer
# must not tell anyone which.
FOLLOWING = (
    "If this address has not confirmed this yet, we sent it a link to confirm "
    "(at most one a day); you will get an email when {what} once it is confirmed."
)
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


def _one_writer() -> bool:
    """True on SQLite, where the write lock lets one write run at a time."""
    return db.session.get_bind().dialect.name == "sqlite"


def _insert(row) -> bool:
    """Add row; False when a racing write stored the same one first (PostgreSQL)."""
    if _one_writer():
        db.session.add(row)
        db.session.flush()
        return True
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return True
    except IntegrityError:
        return False


def address_for(email: str) -> ReaderAddress:
    """The ReaderAddress of email (lower-cased), created if new, locked on
    PostgreSQL until the caller's write ends; in the caller's write."""
    email = email.strip().lower()
    query = select(ReaderAddress).where(ReaderAddress.email == email).with_for_update()
    found = db.session.scalar(query)
    if found is not None:
        return found
    address = ReaderAddress(email=email)
    if _insert(address):
        return address
    return db.session.scalars(query).one()


def _add(address: ReaderAddress, kind: SubscriptionKind, wish: Wish) -> bool:
    """Add the subscription unless the address has it; True when added."""
    comment_id = wish.comment_id if kind == SubscriptionKind.REPLIES else None
    found = db.session.scalar(
        select(Subscription.id).where(
            Subscription.address_id == address.id,
            Subscription.kind == kind,
            Subscription.article_id == wish.article_id,
            Subscription.comment_id.is_(None)
            if comment_id is None
            else Subscription.comment_id == comment_id,
        )
    )
    if found is not None:
        return False
    return _insert(
        Subscription(
            address_id=address.id,
            kind=kind,
            article_id=wish.article_id,
            comment_id=comment_id,
        )
    )


def _has_waiting(address: ReaderAddress) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Subscription.address_id == address.id,
                    Subscription.confirmed_at.is_(None),
                )
            )
        )
    )


def _claim_mail(address: ReaderAddress) -> bool:
    """Take the day's confirmation mail for the address; False if one went already.

    A conditional UPDATE, so two writes at once (PostgreSQL) never both mail.
    """
    now = utcnow()
    sent = address.confirmation_sent_at
    if sent is not None and now - sent < CONFIRMATION_EVERY:
        return False  # the row is locked (or SQLite's one writer): no UPDATE needed
    result = db.session.execute(
        update(ReaderAddress)
        .where(
            ReaderAddress.id == address.id,
            or_(
                ReaderAddress.confirmation_sent_at.is_(None),
                ReaderAddress.confirmation_sent_at < now - CONFIRMATION_EVERY,
            ),
        )
        .values(confirmation_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # What the row now holds, without the ORM writing it a second time.
    set_committed_value(address, "confirmation_sent_at", now)
    return True


def ask_confirmation(address: ReaderAddress) -> bool:
    """Queue the mail confirming every waiting wish, unless one went in the last day."""
    if not _claim_mail(address):
        return False
    wishes = db.session.execute(
        select(Subscription.kind, Article.title)
        .join(Article, Article.id == Subscription.article_id)
        .where(
            Subscription.address_id == address.id,
            Subscription.confirmed_at.is_(None),
        )
        .order_by(Subscription.id)
    ).all()
    # Taken after the wishes above were stored: the link covers them at least
    # (links.listed_until).
    mail = confirmation_mail(address, utcnow(), [tuple(w) for w in wishes])
    enqueue([mail.to], mail.subject, mail.body)
    return True


def record(wish: Wish) -> None:
    """Store the wish (and ask for confirmation if due); in the caller's write."""
    if wish.empty:
        return
    address = address_for(wish.email)
    added = False
    if wish.comment_id is not None:
        added = _add(address, SubscriptionKind.REPLIES, wish)
    if wish.whole_article:
        added = _add(address, SubscriptionKind.ARTICLE, wish) or added
    if added or _has_waiting(address):
        ask_confirmation(address)


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
    """What the comment's answer tells the reader about the boxes they ticked ("" none).

    No query: it runs after the commit, where nothing may fail the stored comment.
    """
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
    return FOLLOWING.format(what=" or ".join(whats))
