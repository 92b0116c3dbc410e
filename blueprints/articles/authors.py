"""Author pages: the author a slug names, their articles, the sitemap's authors.

An author page exists for an account with at least one published article,
active or not: a byline only ever shows on a published article, so its link
always works, and the site does not list staff who never published.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.articles import listing
from models import Article
from models import User
from models import db


def author_or_404(slug: str) -> User:
    """The account whose page slug is, with its avatar joined (one statement)."""
    found = db.session.scalar(
        select(User).options(joinedload(User.avatar)).where(User.slug == slug)
    )
    if found is None:
        abort(404)
    return found


def articles_by(author: User) -> Select:
    """published_ids() narrowed to one author's articles."""
    return listing.published_ids().where(Article.author_id == author.id)


def sitemap_authors() -> list[tuple[str, datetime]]:
    """Each author with a published article (pages do not count): slug, and when
    their page last changed."""
    rows = db.session.execute(
        select(User.slug, User.updated_at, func.max(Article.updated_at))
        .join(Article, Article.author_id == User.id)
        .where(Article.listed())
        .group_by(User.id, User.slug, User.updated_at)
        .order_by(User.slug)
    ).all()
    return [(slug, max(profile, newest)) for slug, profile, newest in rows]
