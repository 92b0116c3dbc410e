"""The staff sidebar's badges: pending comments and new messages, in one statement.

Called by the layout (`staff_badges()` in a template), so only full staff pages
pay for it; htmx fragments never render the sidebar and never ask.
"""

from __future__ import annotations

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
from storage.capped_count import CAP
from storage.capped_count import capped
from storage.capped_count import count_label


def _pending_comments():
    return capped(select(Comment.id).where(Comment.status == CommentStatus.PENDING))


def _new_messages():
    return capped(
        select(ContactMessage.id).where(ContactMessage.status == MessageStatus.NEW)
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


bp.add_app_template_filter(count_label, "count_label")
bp.add_app_template_global(CAP, "count_cap")
