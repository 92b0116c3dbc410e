"""How long an author may edit a comment they posted (FOLIO_COMMENTS_EDIT_MINUTES)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app

from models import CommentStatus
from models import utcnow


def edit_window() -> timedelta:
    """The edit window; zero when authors may not edit at all."""
    return timedelta(minutes=max(0, int(current_app.config["COMMENTS_EDIT_MINUTES"])))


def edit_window_open(comment: Any) -> bool:
    """True while its author may edit: within the window of being posted, and
    neither trashed nor deleted (comment: a Comment or a row with its columns)."""
    window = edit_window()
    if not window or comment.removed_at is not None:
        return False
    if comment.status == CommentStatus.TRASH:
        return False
    return utcnow() < comment.created_at + window


def minutes_left(comment: Any) -> int:
    """Whole minutes (at least 1) before the window closes on an open comment."""
    left = comment.created_at + edit_window() - utcnow()
    return max(1, -(-int(left.total_seconds()) // 60))
