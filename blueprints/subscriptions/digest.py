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
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.subscriptions.mails import notice_mail
from mail.outbox import enqueue
from models import Comment
from models import CommentStatus
from models import ReaderAddress
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


def mail_waiting(subscriptions: Sequence[Subscription], now: datetime) -> int:
    """Queue one mail per subscription listing its waiting approved comments; clear
    them. In the caller's write; the subscriptions' address and article loaded."""
    if not subscriptions:
        return 0
    ids = [subscription.id for subscription in subscriptions]
    rows = db.session.execute(
        select(SubscriptionNotice.subscription_id, Comment)
        .join(Comment, Comment.id == SubscriptionNotice.comment_id)
        .where(
            SubscriptionNotice.subscription_id.in_(ids),
            # A reply approved, then moved to spam or trash, is not announced.
            Comment.status == CommentStatus.APPROVED,
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    waiting: dict[int, list[Comment]] = defaultdict(list)
    for subscription_id, comment in rows:
        waiting[subscription_id].append(comment)
    queued = 0
    for subscription in subscriptions:
        comments = waiting.get(subscription.id)
        if comments and subscription.address.confirmed_at is not None:
            mail = notice_mail(subscription, subscription.article, comments)
            enqueue([mail.to], mail.subject, mail.body, headers=mail.headers)
            subscription.last_mailed_at = now
            queued += 1
        subscription.due_at = None
    db.session.execute(
        delete(SubscriptionNotice).where(SubscriptionNotice.subscription_id.in_(ids))
    )
    return queued


def _due(now: datetime):
    return (
        select(Subscription)
        .join(ReaderAddress, ReaderAddress.id == Subscription.address_id)
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
