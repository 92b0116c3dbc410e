"""Changing a comment's moderation state from the staff area.

Status changes go through the comments blueprint's own
``moderation.set_status``, which keeps Article.comment_count and
comments_version (the comment-list cache key) right; deletes and staff replies
refresh them the same way.
"""

from __future__ import annotations

from blueprints.comments.moderation import StatusChange
from blueprints.comments.moderation import set_status
from blueprints.comments.records import StoredComment
from blueprints.comments.removals import Removal
from blueprints.comments.removals import removal
from models import Comment
from models import CommentStatus
from models import User
from models import db

# action name -> (the states it applies to, the resulting state)
TRANSITIONS: dict[str, tuple[frozenset[CommentStatus], CommentStatus]] = {
    "approve": (
        frozenset({CommentStatus.PENDING}),
        CommentStatus.APPROVED,
    ),
    "unapprove": (frozenset({CommentStatus.APPROVED}), CommentStatus.PENDING),
    "spam": (
        frozenset({CommentStatus.PENDING, CommentStatus.APPROVED}),
        CommentStatus.SPAM,
    ),
    "not_spam": (frozenset({CommentStatus.SPAM}), CommentStatus.APPROVED),
    "trash": (
        frozenset({CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM}),
        CommentStatus.TRASH,
    ),
    "restore": (frozenset({CommentStatus.TRASH}), CommentStatus.PENDING),
}
LABELS = {
    "approve": "Approve",
    "unapprove": "Unapprove",
    "spam": "Spam",
    "not_spam": "Not spam",
    "trash": "Trash",
    "restore": "Restore",
}
DELETABLE = frozenset({CommentStatus.SPAM, CommentStatus.TRASH})


def actions_for(comment: Comment) -> list[str]:
    """The actions that apply to a comment in its current state."""
    return [
        name for name, (sources, _) in TRANSITIONS.items() if comment.status in sources
    ]


def apply_action(comment: Comment, action: str, staff: User) -> StatusChange | None:
    """Apply a named moderation action; None when it does not apply."""
    sources, target = TRANSITIONS[action]
    if comment.status not in sources:
        return None
    reason = f"{LABELS[action].lower()} by {staff.display_name}"
    return set_status(comment, target, reason)


def delete_comment(comment: Comment) -> Removal:
    """Delete a spam or trashed comment for good (the caller checks the state);
    returns what comment_removed announces after the commit."""
    gone = removal(comment)
    article = comment.article
    db.session.delete(comment)
    db.session.flush()
    article.refresh_comment_stats()
    return gone


def post_staff_reply(parent: Comment, staff: User, body: str) -> StoredComment:
    """Reply to a comment as staff: approved at once and marked as from staff.

    Returns the reply as comment_created announces it (the caller commits).
    """
    reply = Comment(
        article=parent.article,
        parent=parent,
        depth=parent.depth + 1,
        author_name=staff.display_name,
        author_email=staff.email[:100],
        body=body.strip(),
        status=CommentStatus.APPROVED,
        status_reason="staff reply",
        staff_author_id=staff.id,
    )
    db.session.add(reply)
    db.session.flush()
    parent.article.refresh_comment_stats()
    return StoredComment.from_row(reply)
