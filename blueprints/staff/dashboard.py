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
from models import ArticleKind
from models import ArticleStatus
from models import Comment
from models import CommentStatus
from models import ContactMessage
from models import MessageStatus
from models import db
from models import utcnow
from web.site_settings import site_settings

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
        sections["comments"] = _section(
            select(Comment).where(Comment.status == CommentStatus.PENDING),
            Comment.created_at.desc(),
            selectinload(Comment.article),
        )
    if can(INBOX):
        sections["messages"] = _section(
            select(ContactMessage).where(ContactMessage.status == MessageStatus.NEW),
            ContactMessage.created_at.desc(),
        )
    if can(ARTICLES):
        # Articles only, as the lists these sections link to (pages have their own).
        articles = select(Article).where(Article.kind == ArticleKind.ARTICLE)
        sections["drafts"] = _section(
            articles.where(Article.status == ArticleStatus.DRAFT),
            Article.updated_at.desc(),
        )
        sections["scheduled"] = _section(
            articles.where(
                Article.status == ArticleStatus.PUBLISHED,
                Article.published_at > utcnow(),
            ),
            Article.published_at,
        )
    return render_template(
        "staff/dashboard.html",
        sections=sections,
        badges=_badges(sections),
        contact_locked="CONTACT_RECIPIENTS" in site_settings().locked,
    )


def _badges(sections: dict) -> dict[str, int]:
    """The sidebar's counts, from the sections that have them (no second query)."""
    names = {"comments": "comments", "messages": "inbox"}
    return {names[key]: sections[key]["count"] for key in names if key in sections}


def _section(query, order, *options) -> dict:
    """How many rows a query finds, and the first LATEST of them in order."""
    latest = query.options(*options).order_by(order).limit(LATEST)
    return {"count": _count(query), "latest": db.session.scalars(latest).all()}
