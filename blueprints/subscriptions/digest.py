"""Mail a subscription's waiting notices as one mail, now or when its digest is due.

A subscription hears at most once per FOLIO_NOTIFY_DIGEST_MINUTES: what comes
in between waits as SubscriptionNotice rows with the subscription's due_at
set. send_due_digests() runs before each round of the outbox's sender (the
background thread and `flask outbox send`), so a digest goes out without any
reader's request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta

from flask import Flask
from flask import current_app
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from blueprints.subscriptions.mails import notice_mail
from mail.outbox import enqueue
from models import Comment
from models import CommentStatus
from models import Subscription
from models import SubscriptionNotice
from models import db
from models import utcnow
from storage.transactions import write_transaction
from web.urls import urls_outside_requests

# Digests queued per round at most; the next round takes the rest.
BATCH = 100


def interval() -> timedelta:
    """The digest interval (FOLIO_NOTIFY_DIGEST_MINUTES, at least zero)."""
    return timedelta(minutes=max(0, int(current_app.config["NOTIFY_DIGEST_MINUTES"])))


def may_mail_now(subscription: Subscription, now: datetime) -> bool:
    """True when the subscription's last mail is older than the digest interval."""
    last = subscription.last_mailed_at
    return last is None or now - last >= interval()


def claim(ids: list[int], now: datetime):
    """The UPDATE that marks the subscriptions' waiting notices of shown comments
    mailed, returning the (notice, subscription, comment) ids it claimed.

    Conditional: on PostgreSQL a concurrent claimer of the same rows waits for
    the first to commit, then finds mailed_at set and claims nothing, so the
    digest and an approval never both mail a notice.
    """
    shown = select(Comment.id).where(
        Comment.status == CommentStatus.APPROVED, Comment.removed_at.is_(None)
    )
    return (
        update(SubscriptionNotice)
        .where(
            SubscriptionNotice.subscription_id.in_(ids),
            SubscriptionNotice.mailed_at.is_(None),
            # A reply approved, then held, spam, trashed or deleted: not mailed.
            SubscriptionNotice.comment_id.in_(shown),
        )
        .values(mailed_at=now)
        .returning(
            SubscriptionNotice.id,
            SubscriptionNotice.subscription_id,
            SubscriptionNotice.comment_id,
        )
        .execution_options(synchronize_session=False)
    )


def mail_waiting(subscriptions: Sequence[Subscription], now: datetime) -> int:
    """Queue one mail per subscription listing the waiting notices it claims; the
    notices are kept, mailed_at and outbox_id set. In the caller's write; the
    subscriptions' address and article loaded. How many mails were queued."""
    for subscription in subscriptions:
        subscription.due_at = None
    ids = [s.id for s in subscriptions if s.confirmed_at is not None]
    claimed = [tuple(row) for row in db.session.execute(claim(ids, now))] if ids else []
    if not claimed:
        return 0
    comments = {
        comment.id: comment
        for comment in db.session.scalars(
            select(Comment)
            .where(Comment.id.in_({comment_id for _, _, comment_id in claimed}))
            .order_by(Comment.created_at, Comment.id)
        )
    }
    waiting: dict[int, list[tuple[int, Comment]]] = defaultdict(list)
    for notice_id, subscription_id, comment_id in claimed:
        waiting[subscription_id].append((notice_id, comments[comment_id]))
    queued = 0
    for subscription in subscriptions:
        notices = sorted(
            waiting.get(subscription.id, []),
            key=lambda pair: (pair[1].created_at, pair[1].id),
        )
        if not notices:
            continue
        mail = notice_mail(
            subscription, subscription.article, [comment for _, comment in notices]
        )
        outbox_mail = enqueue([mail.to], mail.subject, mail.body, headers=mail.headers)
        db.session.flush()
        db.session.execute(
            update(SubscriptionNotice)
            .where(SubscriptionNotice.id.in_([notice_id for notice_id, _ in notices]))
            .values(outbox_id=outbox_mail.id)
            .execution_options(synchronize_session=False)
        )
        subscription.last_mailed_at = now
        queued += 1
    return queued


def _due(now: datetime):
    return (
        select(Subscription)
        .where(Subscription.due_at <= now)
        .order_by(Subscription.due_at, Subscription.id)
        .limit(BATCH)
        .options(selectinload(Subscription.address), selectinload(Subscription.article))
    )


def send_due_digests(app: Flask) -> int:
    """Queue the digests whose time has come (one mail each); how many were queued.

    A read first, so a round with nothing due takes no write lock.
    """
    now = utcnow()
    found = db.session.scalar(
        select(Subscription.id).where(Subscription.due_at <= now).limit(1)
    )
    db.session.rollback()
    if found is None:
        return 0
    with urls_outside_requests(), write_transaction():
        queued = mail_waiting(db.session.scalars(_due(now)).all(), now)
    if queued:
        app.logger.info("subscriptions: %s digest mail(s) queued", queued)
    return queued
