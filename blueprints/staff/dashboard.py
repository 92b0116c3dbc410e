"""The staff dashboard: what needs attention, with links."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.staff.access import ANY_STAFF
from blueprints.staff.access import ARTICLES
from blueprints.staff.access import COMMENTS
from blueprints.staff.access import INBOX
from blueprints.staff.access import can
from blueprints.staff.access import role_required
from blueprints.staff.views import bp
from models import Article
from models import ArticleStatus
from models import Comment
from models import CommentStatus
from models import ContactMessage
from models import MessageStatus
from models import db
from models import utcnow

LATEST = 5


def _count(query) -> int:
    """Count the rows a select would return."""
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


@bp.get("/")
@role_required(ANY_STAFF)
def dashboard():
    """Counts and the latest items of each kind the user's role may handle."""
    sections = {}
    if can(COMMENTS):
        query = select(Comment).where(Comment.status == CommentStatus.PENDING)
        sections["comments"] = {
            "count": _count(query),
            "latest": db.session.scalars(
                query.options(selectinload(Comment.article))
                .order_by(Comment.created_at.desc())
                .limit(LATEST)
            ).all(),
        }
    if can(INBOX):
        query = select(ContactMessage).where(ContactMessage.status == MessageStatus.NEW)
        sections["messages"] = {
            "count": _count(query),
            "latest": db.session.scalars(
                query.order_by(ContactMessage.created_at.desc()).limit(LATEST)
            ).all(),
        }
    if can(ARTICLES):
        drafts = select(Article).where(Article.status == ArticleStatus.DRAFT)
        scheduled = select(Article).where(
            Article.status == ArticleStatus.PUBLISHED, Article.published_at > utcnow()
        )
        sections["drafts"] = {
            "count": _count(drafts),
            "latest": db.session.scalars(
                drafts.order_by(Article.updated_at.desc()).limit(LATEST)
            ).all(),
        }
        sections["scheduled"] = {
            "count": _count(scheduled),
            "latest": db.session.scalars(
                scheduled.order_by(Article.published_at).limit(LATEST)
            ).all(),
        }
    return render_template("staff/dashboard.html", sections=sections)
