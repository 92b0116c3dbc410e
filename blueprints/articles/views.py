"""Reader-facing article pages."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.comments.section import section_context
from blueprints.htmx import render
from models import Article
from models import db

bp = Blueprint("articles", __name__)


@bp.get("/")
def index():
    """List published articles, newest first."""
    page_number = request.args.get("page", 1, type=int)
    if page_number < 1:
        abort(404)
    query = (
        select(Article)
        .where(Article.visible())
        .options(selectinload(Article.tags), selectinload(Article.author))
        .order_by(Article.published_at.desc(), Article.id.desc())
    )
    page = db.paginate(
        query,
        page=page_number,
        per_page=current_per_page(),
        error_out=False,
        count=True,
    )
    if page_number > 1 and not page.items:
        abort(404)
    return render("articles/index.html", "articles/_list.html", page=page)


@bp.get("/articles/<slug>")
def detail(slug: str):
    """Show one published article."""
    article = db.first_or_404(
        select(Article).where(Article.slug == slug, Article.visible())
    )
    return render(
        "articles/detail.html",
        "articles/_article.html",
        **article_page_context(article),
    )


def article_page_context(article: Article, **comment_options) -> dict:
    """Everything articles/detail.html needs; the comments blueprint reuses it to
    re-render the whole page (e.g. a plain POST with errors)."""
    return {"article": article, **section_context(article, **comment_options)}


def current_per_page() -> int:
    """Articles per list page, from configuration."""
    return int(current_app.config["ARTICLES_PER_PAGE"])
