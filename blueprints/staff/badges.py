"""The staff sidebar's badges: pending comments and new messages, in one statement.

Called by the layout (`staff_badges()` in a template), so only full staff pages
pay for it; htmx fragments never render the sidebar and never ask.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from blueprints.staff.access import COMMENTS
from blueprints.staff.access import INBOX
from blueprints.staff.access import can
from blueprints.staff.views import bp
from models import Comment
from models import CommentStatus
from models import ContactMessage
from models import MessageStatus
from models import db


def _pending_comments():
    return (
        select(func.count(Comment.id))
        .where(Comment.status == CommentStatus.PENDING)
        .scalar_subquery()
    )


def _new_messages():
    return (
        select(func.count(ContactMessage.id))
        .where(ContactMessage.status == MessageStatus.NEW)
        .scalar_subquery()
    )


@bp.app_template_global()
def staff_badges() -> dict[str, int]:
    """The counts the signed-in user's sidebar shows, by section (one SELECT)."""
    wanted = {}
    if can(COMMENTS):
        wanted["comments"] = _pending_comments()
    if can(INBOX):
        wanted["inbox"] = _new_messages()
    if not wanted:
        return {}
    row = db.session.execute(select(*wanted.values())).one()
    return dict(zip(wanted, row, strict=True))
