"""Note approved comments for the readers who follow them, in the comment's own write.

A comment that is approved (posted approved, a staff reply, or moved to
approved by staff) is noted for the confirmed subscriptions it concerns:
replies under any comment of its thread (its ancestors) and new comments on
its article; never for the address that wrote it, and once per address
however many of its subscriptions match (the thread's first). Held, spam and
trashed comments are never noted.

note() runs inside the write that approves the comment, so a notice can never
be lost to a failed write after commit: the comment, its SubscriptionNotice
rows and, for a subscription not waiting for a digest, the outbox mail commit
together. A comment already noted for a subscription (mailed or not) is never
noted again (the unique constraint), so approved, held, approved mails once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from flask.blueprints import BlueprintSetupState
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.comments.moderation import StatusChange
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
from web.urls import urls_outside_requests


def connect(state: BlueprintSetupState) -> None:
    """Connect the digests to the outbox's rounds, for this app."""
    before_each_round(state.app, send_due_digests)


def _ancestors(comments: Sequence[StoredComment]) -> dict[int, set[int]]:
    """Each reply's ancestors' ids, by the reply's id (one recursive CTE; the
    depth is capped by COMMENTS_MAX_DEPTH, so a few rows each)."""
    replies = [c.id for c in comments if c.parent_id is not None]
    found: dict[int, set[int]] = defaultdict(set)
    if not replies:
        return found
    start = (
        select(Comment.id.label("origin"), Comment.parent_id.label("ancestor"))
        .where(Comment.id.in_(replies), Comment.parent_id.is_not(None))
        .cte("ancestors", recursive=True)
    )
    up = (
        select(start.c.origin, Comment.parent_id)
        .join(start, Comment.id == start.c.ancestor)
        .where(Comment.parent_id.is_not(None))
    )
    chain = start.union_all(up)
    for origin, ancestor in db.session.execute(
        select(chain.c.origin, chain.c.ancestor)
    ):
        found[origin].add(ancestor)
    return found


def _candidates(comments: Sequence[StoredComment], ancestors: dict[int, set[int]]):
    """The confirmed subscriptions any of comments may concern (one query)."""
    threads = set().union(*ancestors.values()) if ancestors else set()
    concerns = and_(
        Subscription.kind == SubscriptionKind.ARTICLE,
        Subscription.article_id.in_({c.article_id for c in comments}),
    )
    if threads:
        concerns = or_(
            concerns,
            and_(
                Subscription.kind == SubscriptionKind.REPLIES,
                Subscription.comment_id.in_(threads),
            ),
        )
    return (
        select(Subscription, ReaderAddress.email)
        .join(ReaderAddress, ReaderAddress.id == Subscription.address_id)
        .where(concerns, Subscription.confirmed_at.is_not(None))
        .order_by(Subscription.id)
    )


def _concerns(subscription: Subscription, comment: StoredComment, above: set[int]):
    if subscription.kind == SubscriptionKind.ARTICLE:
        return subscription.article_id == comment.article_id
    return subscription.comment_id in above


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


def _noted(
    comments: Sequence[StoredComment], address_ids: set[int]
) -> set[tuple[int, int]]:
    """(address, comment) pairs already noted, on any of the address's
    subscriptions: which one carries a notice may change between two approvals
    (a thread wish confirmed later, a thread unfollowed), the reader's mail may not."""
    return {
        tuple(row)
        for row in db.session.execute(
            select(Subscription.address_id, SubscriptionNotice.comment_id)
            .join(Subscription, Subscription.id == SubscriptionNotice.subscription_id)
            .where(
                Subscription.address_id.in_(address_ids),
                SubscriptionNotice.comment_id.in_([c.id for c in comments]),
            )
        )
    }


def note(comments: Sequence[StoredComment]) -> int:
    """Note approved comments for the subscriptions they concern, in the caller's
    write; mail at once those not waiting for a digest. How many mails were queued.

    A fixed number of statements however many comments (staff's bulk approve).
    """
    comments = [c for c in comments if c.status == CommentStatus.APPROVED]
    if not comments:
        return 0
    ancestors = _ancestors(comments)
    rows = db.session.execute(
        _candidates(comments, ancestors).options(
            selectinload(Subscription.address), selectinload(Subscription.article)
        )
    ).all()
    if not rows:
        return 0
    noted = _noted(comments, {subscription.address_id for subscription, _ in rows})
    touched: dict[int, Subscription] = {}
    for comment in comments:
        author = comment.author_email.strip().lower()
        above = ancestors.get(comment.id, set())
        matched = [
            s for s, email in rows if email != author and _concerns(s, comment, above)
        ]
        for subscription in one_per_address(matched):
            if (subscription.address_id, comment.id) in noted:
                continue
            touched[subscription.id] = subscription
            db.session.add(
                SubscriptionNotice(
                    subscription_id=subscription.id, comment_id=comment.id
                )
            )
    db.session.flush()
    return _schedule(list(touched.values()))


def _schedule(subscriptions: list[Subscription]) -> int:
    """Mail now the subscriptions past their digest interval; the others wait."""
    now = utcnow()
    ready = [s for s in subscriptions if may_mail_now(s, now)]
    for subscription in subscriptions:
        if subscription not in ready and subscription.due_at is None:
            subscription.due_at = subscription.last_mailed_at + interval()
    with urls_outside_requests():
        return mail_waiting(ready, now)


def note_changes(changes: Sequence[StatusChange | None]) -> int:
    """note() the comments that status changes moved to approved (the caller's write)."""
    return note(
        [
            change.comment
            for change in changes
            if change is not None
            and change.comment.status == CommentStatus.APPROVED
            and change.previous != CommentStatus.APPROVED
        ]
    )


def note_posted(comment: StoredComment, article: ArticleRef) -> int:
    """note() a comment just posted, when anyone follows its article (the caller's
    write). The article's has_followers costs the post path no statement."""
    if comment.status != CommentStatus.APPROVED or not article.has_followers:
        return 0
    return note([comment])
