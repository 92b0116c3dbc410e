"""Staff mail about new comments: a receiver of signals.comment_created.

The comment has committed when the receiver runs; the mail is queued through
the outbox in a short write of its own, so sending (with retries) never slows
or fails the reader's post. docs/architecture.md says what a crash between the
two commits costs.
"""

from __future__ import annotations

from flask import Flask
from flask import current_app
from flask.blueprints import BlueprintSetupState
from sqlalchemy import select

from blueprints.articles.page import reader_endpoint
from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from mail.outbox import enqueue
from models import CommentStatus
from models import Role
from models import User
from models import db
from signals import comment_created
from storage.transactions import write_transaction
from web.urls import absolute_url


def connect(state: BlueprintSetupState) -> None:
    """Connect the staff mail to the app the comments blueprint is registered on."""
    comment_created.connect(notify_staff, sender=state.app)


def staff_recipients() -> list[str]:
    """Emails of active admins and moderators."""
    return list(
        db.session.scalars(
            select(User.email)
            .where(User.is_active, User.role.in_([Role.ADMIN, Role.MODERATOR]))
            .order_by(User.id)
        )
    )


def moderation_queue_url() -> str:
    """The staff area's moderation queue (pending tab), as an absolute URL."""
    return absolute_url("staff.comments")


def should_notify(comment: StoredComment) -> bool:
    """Held comments always; approved ones when configured; spam and staff replies never."""
    if comment.staff_author_id is not None:
        return False
    if comment.status == CommentStatus.PENDING:
        return True
    return (
        comment.status == CommentStatus.APPROVED
        and current_app.config["COMMENTS_NOTIFY_APPROVED"]
    )


def staff_mail(comment: StoredComment, article: ArticleRef) -> tuple[str, str]:
    """Subject and body of the mail about a new comment."""
    held = comment.status == CommentStatus.PENDING
    subject = (
        f"[{current_app.config['SITE_TITLE']}] "
        f"{'Comment awaiting moderation' if held else 'New comment'}: {article.title}"
    )
    link = absolute_url(
        reader_endpoint(article.kind),
        slug=article.slug,
        _anchor=f"comment-{comment.id}",
    )
    body = "\n".join(
        [
            f"A new comment on “{article.title}” is {comment.status.value}"
            f" ({comment.status_reason}).",
            "",
            f"Author: {comment.author_name} <{comment.author_email}>",
            f"Website: {comment.author_url or '-'}",
            "",
            comment.body,
            "",
            f"Moderation queue: {moderation_queue_url()}",
            f"Article: {link}" if not held else "",
        ]
    ).rstrip()
    return subject, body


def notify_staff(
    app: Flask, *, comment: StoredComment, article: ArticleRef, **_: object
) -> None:
    """Queue a mail to admins and moderators about a new comment, and commit it.

    A failure is logged, not raised: the comment is stored and the reader's
    answer must say so; the comment waits in the moderation queue either way.
    """
    if not should_notify(comment):
        return
    subject, body = staff_mail(comment, article)
    try:
        recipients = staff_recipients()
        with write_transaction():
            enqueue(recipients, subject, body, comment_id=comment.id)
    except Exception:  # committed already: log it, never answer 500
        app.logger.exception("staff mail about comment %s not queued", comment.id)
