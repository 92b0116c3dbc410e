"""Announce approved comments to the readers who follow them (signal receivers).

A comment that is approved (at once, or later by staff) is announced to the
confirmed subscriptions it concerns: replies under any comment of its thread
(its ancestors) and new comments on its article; never to the address that
wrote it, and one mail per address however many of its subscriptions match
(the thread's first). Held, spam and trashed comments are never announced.
Each match adds a SubscriptionNotice; the mail goes at once when the
subscription's last one is older than the digest interval, else its due_at is
set and digest.py sends the lot later as one mail.
"""

from __future__ import annotations

from flask import Flask
from flask.blueprints import BlueprintSetupState
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from blueprints.subscriptions.digest import interval
from blueprints.subscriptions.digest import mail_waiting
from blueprints.subscriptions.digest import may_mail_now
from blueprints.subscriptions.digest import send_due_digests
from mail.outbox import before_each_round
from models import Comment
from models import CommentStatus
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from models import SubscriptionNotice
from models import db
from models import utcnow
from signals import comment_created
from signals import comment_status_changed
from storage.transactions import write_transaction
from web.urls import urls_outside_requests


def connect(state: BlueprintSetupState) -> None:
    """Connect the receivers, and the digests to the outbox's rounds, for this app."""
    comment_created.connect(on_created, sender=state.app)
    comment_status_changed.connect(on_status_changed, sender=state.app)
    before_each_round(state.app, send_due_digests)


def _ancestors(parent_id: int):
    """The ids of a comment's ancestors from parent_id up (a recursive CTE; the
    depth is capped by COMMENTS_MAX_DEPTH, so a few rows)."""
    start = (
        select(Comment.id, Comment.parent_id)
        .where(Comment.id == parent_id)
        .cte("ancestors", recursive=True)
    )
    up = select(Comment.id, Comment.parent_id).join(
        start, Comment.id == start.c.parent_id
    )
    return select(start.union_all(up).c.id)


def _matching(comment: StoredComment, article: ArticleRef):
    """The confirmed subscriptions (not the author's) that comment concerns."""
    concerns = and_(
        Subscription.kind == SubscriptionKind.ARTICLE,
        Subscription.article_id == article.id,
    )
    if comment.parent_id is not None:
        concerns = or_(
            concerns,
            and_(
                Subscription.kind == SubscriptionKind.REPLIES,
                Subscription.comment_id.in_(_ancestors(comment.parent_id)),
            ),
        )
    return (
        select(Subscription)
        .join(ReaderAddress, ReaderAddress.id == Subscription.address_id)
        .where(
            concerns,
            ReaderAddress.confirmed_at.is_not(None),
            ReaderAddress.email != comment.author_email.strip().lower(),
        )
        .order_by(Subscription.id)
    )


def one_per_address(subscriptions: list[Subscription]) -> list[Subscription]:
    """One subscription per address: its thread one when it has one."""
    chosen: dict[int, Subscription] = {}
    for subscription in subscriptions:
        held = chosen.get(subscription.address_id)
        if held is None or (
            held.kind != SubscriptionKind.REPLIES
            and subscription.kind == SubscriptionKind.REPLIES
        ):
            chosen[subscription.address_id] = subscription
    return list(chosen.values())


def announce(comment: StoredComment, article: ArticleRef) -> int:
    """Note comment for each subscription it concerns; mail those not waiting for
    a digest. Returns how many mails were queued. Commits."""
    # A read first: most comments concern nobody, and then take no write lock.
    found = db.session.scalar(_matching(comment, article).limit(1))
    db.session.rollback()
    if found is None:
        return 0
    with urls_outside_requests(), write_transaction():
        matched = db.session.scalars(
            _matching(comment, article).options(
                selectinload(Subscription.address),
                selectinload(Subscription.article),
            )
        ).all()
        subscriptions = one_per_address(list(matched))
        noted = set(
            db.session.scalars(
                select(SubscriptionNotice.subscription_id).where(
                    SubscriptionNotice.comment_id == comment.id
                )
            )
        )
        now = utcnow()
        for subscription in subscriptions:
            if subscription.id not in noted:
                db.session.add(
                    SubscriptionNotice(
                        subscription_id=subscription.id, comment_id=comment.id
                    )
                )
        db.session.flush()
        ready = [s for s in subscriptions if may_mail_now(s, now)]
        for subscription in subscriptions:
            if subscription not in ready and subscription.due_at is None:
                subscription.due_at = subscription.last_mailed_at + interval()
        return mail_waiting(ready, now)


def _announce_logged(app: Flask, comment: StoredComment, article: ArticleRef) -> None:
    try:
        announce(comment, article)
    except Exception:  # committed already: log it, never fail the request
        db.session.rollback()
        app.logger.exception("reader notices for comment %s not queued", comment.id)


def on_created(
    app: Flask, *, comment: StoredComment, article: ArticleRef, **_: object
) -> None:
    """A comment stored approved (a reader's or a staff reply) is announced."""
    if comment.status == CommentStatus.APPROVED:
        _announce_logged(app, comment, article)


def on_status_changed(
    app: Flask,
    *,
    comment: StoredComment,
    article: ArticleRef,
    previous: CommentStatus,
    **_: object,
) -> None:
    """A comment moved to approved (from held, spam or trash) is announced."""
    if comment.status == CommentStatus.APPROVED and previous != CommentStatus.APPROVED:
        _announce_logged(app, comment, article)
