"""Staff notifications about new comments, queued through the outbox.

The mail row commits in the same transaction as the comment, so it is never
lost and sending (with retries) never slows or fails the reader's post.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from blueprints.articles.seo import absolute_url
from blueprints.comments.posting import NewComment
from blueprints.comments.posting import Target
from mail.outbox import enqueue
from models import Article
from models import Comment
from models import CommentStatus
from models import Role
from models import User
from models import db


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


def should_notify(comment: Comment | NewComment) -> bool:
    """Held comments always; approved ones when configured; spam never."""
    if comment.status == CommentStatus.PENDING:
        return True
    return (
        comment.status == CommentStatus.APPROVED
        and current_app.config["COMMENTS_NOTIFY_APPROVED"]
    )


def notify_staff(comment: Comment | NewComment, article: Article | Target) -> None:
    """Queue a mail to admins and moderators about a new comment (caller commits)."""
    if not should_notify(comment):
        return
    held = comment.status == CommentStatus.PENDING
    subject = (
        f"[{current_app.config['SITE_TITLE']}] "
        f"{'Comment awaiting moderation' if held else 'New comment'}: {article.title}"
    )
    link = absolute_url(
        "articles.detail", slug=article.slug, _anchor=f"comment-{comment.id}"
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
    enqueue(staff_recipients(), subject, body, comment_id=comment.id)
