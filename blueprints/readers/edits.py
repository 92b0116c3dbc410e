"""Changing a comment's text (its author within the edit window, or staff) and
its author's delete, keeping the history, the counts and the cached list right.

A reader's edit runs the moderation rules again on the new text: an edit that
adds links may send an approved comment back to moderation.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask import request
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from blueprints.comments.moderation import StatusChange
from blueprints.comments.moderation import Submission
from blueprints.comments.moderation import decide
from blueprints.comments.moderation import plugin_votes
from blueprints.comments.moderation import set_status
from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from models import Comment
from models import CommentRevision
from models import CommentStatus
from models import OutboxMail
from models import Subscription
from models import SubscriptionNotice
from models import db
from models import utcnow
from plugins.hooks import SpamVote
from signals import comment_edited
from web.urls import absolute_url

# Deleted by its author while it had replies: kept, with nothing of theirs.
REMOVED = {"body": "", "author_name": "", "author_url": ""}


# How far each state is from being shown: an edit may move a comment away, never back.
SEVERITY = {
    CommentStatus.APPROVED: 0,
    CommentStatus.PENDING: 1,
    CommentStatus.SPAM: 2,
    CommentStatus.TRASH: 3,
}


def revise(comment: Comment, body: str, editor_id: int | None) -> None:
    """Keep the old text as a revision and store the new one (the caller commits).

    An approved comment's edit refreshes its article's stats, which bumps
    comments_version, so the cached comment list and pages are rendered again.
    """
    db.session.add(
        CommentRevision(comment_id=comment.id, body=comment.body, editor_id=editor_id)
    )
    comment.body = body
    comment.edited_at = utcnow()
    db.session.flush()
    if comment.status == CommentStatus.APPROVED:
        comment.article.refresh_comment_stats()


def edited_submission(comment: Comment, body: str) -> Submission:
    """The comment with its new text, as the moderation rules see it."""
    return Submission(
        name=comment.author_name,
        email=comment.author_email,
        url=comment.author_url or "",
        body=body,
        ip=request.remote_addr or "",
        user_agent=comment.user_agent or "",
    )


def edit_votes(comment: Comment, body: str) -> list[SpamVote]:
    """The plugins' spam checks' votes on the new text (asked before the write)."""
    article_url = absolute_url("articles.detail", slug=comment.article.slug)
    return plugin_votes(
        edited_submission(comment, body), article_url, comment.parent_id
    )


def edit_by_author(
    comment: Comment, body: str, votes: Sequence[SpamVote] = ()
) -> StatusChange | None:
    """The author's edit: revise, then apply the moderation rules to the new text.

    votes: the plugins' spam checks' on the new text (edit_votes). Returns the
    status change when the rules now hold the comment or call it spam (an
    edit never moves a comment the other way).
    """
    revise(comment, body, editor_id=None)
    decision = decide(edited_submission(comment, body), votes=votes)
    # An edit never approves a held comment, nor lifts one out of spam.
    if SEVERITY[decision.status] <= SEVERITY[comment.status]:
        return None
    return set_status(comment, decision.status, f"edited; {decision.reason}")


def announce_edit(comment: Comment, editor_id: int | None) -> None:
    """Send comment_edited; call after the commit."""
    comment_edited.send(
        current_app._get_current_object(),
        comment=StoredComment.from_row(comment),
        article=ArticleRef.from_row(comment.article),
        editor_id=editor_id,
    )


def has_replies(comment_ids: list[int]) -> set[int]:
    """The ids among comment_ids that have at least one reply (one query)."""
    if not comment_ids:
        return set()
    rows = db.session.scalars(
        select(Comment.parent_id).where(Comment.parent_id.in_(comment_ids)).distinct()
    )
    return set(rows)


def forget_waiting_notices(comment_ids: list[int]) -> None:
    """Drop the reply notices not yet mailed for comments their author removed
    (the mailed ones stay, so the comment is never announced again)."""
    db.session.execute(
        delete(SubscriptionNotice).where(
            SubscriptionNotice.comment_id.in_(comment_ids),
            SubscriptionNotice.mailed_at.is_(None),
        )
    )


def withdraw_unsent_mails(comment_ids: list[int]) -> int:
    """Delete the mails not yet sent that carry one of these comments; the other
    comments those digests carried wait again, due at once, so the next digest
    sends them without the withdrawn text. How many mails were deleted."""
    unsent = (
        select(OutboxMail.id)
        .join(SubscriptionNotice, SubscriptionNotice.outbox_id == OutboxMail.id)
        .where(
            SubscriptionNotice.comment_id.in_(comment_ids),
            OutboxMail.sent_at.is_(None),
        )
        .scalar_subquery()
    )
    others = (
        SubscriptionNotice.outbox_id.in_(unsent),
        SubscriptionNotice.comment_id.not_in(comment_ids),
    )
    db.session.execute(
        update(Subscription)
        .where(
            Subscription.id.in_(
                select(SubscriptionNotice.subscription_id).where(*others)
            )
        )
        .values(due_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(SubscriptionNotice)
        .where(*others)
        .values(mailed_at=None, outbox_id=None)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(
        delete(OutboxMail)
        .where(OutboxMail.id.in_(unsent))
        .execution_options(synchronize_session=False)
    ).rowcount


def remove(comment: Comment, replied: bool) -> None:
    """Delete a comment; with replies, keep it as "deleted by its author"."""
    article = comment.article
    withdraw_unsent_mails([comment.id])
    if replied:
        for name, value in REMOVED.items():
            setattr(comment, name, value)
        comment.removed_at = utcnow()
        forget_waiting_notices([comment.id])
        # The old texts go too: what the author deleted is not kept for anyone.
        db.session.execute(
            delete(CommentRevision).where(CommentRevision.comment_id == comment.id)
        )
    else:
        db.session.delete(comment)
    db.session.flush()
    article.refresh_comment_stats()


def delete_by_author(comment: Comment) -> None:
    """The author's delete (the caller commits)."""
    remove(comment, comment.id in has_replies([comment.id]))
