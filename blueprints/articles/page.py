"""The article page's own context (public: other blueprints render the page too).

The comment section's context comes from comments.section; the articles.detail
view and the comment views that re-render the whole page join the two.
"""

from __future__ import annotations

from flask import Response
from flask import make_response
from flask import render_template
from flask import url_for
from sqlalchemy import ColumnElement
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import joinedload

from blueprints.articles.listing import BYLINE
from blueprints.articles.markdown import headings_from_html
from blueprints.articles.seo import blog_posting
from blueprints.articles.seo import canonical_of
from blueprints.articles.seo import page_meta
from blueprints.articles.seo import reader_endpoint
from blueprints.articles.seo import search_description
from blueprints.articles.seo import share_image
from blueprints.articles.seo import title_of
from blueprints.articles.seo import web_page
from models import Article
from models import db

TOC_MIN_HEADINGS = 3


def article_for_page(*conditions: ColumnElement[bool]) -> Article | None:
    """The article matching conditions, with its author, tags and images joined.

    One statement, so even a page-cache miss stays within the page's budget.
    """
    return (
        db.session.execute(
            select(Article)
            .where(*conditions)
            .options(
                BYLINE,
                joinedload(Article.tags),
                joinedload(Article.cover),
                joinedload(Article.social_image),
            )
        )
        .unique()
        .scalar_one_or_none()
    )


def reader_url(article, **values) -> str:
    """The address of an article or a page (Article, ArticleRef); values: more
    URL arguments (cpage, replytocom, _anchor). A template global too."""
    return url_for(reader_endpoint(article.kind), slug=article.slug, **values)


def reader_context(article: Article, preview: bool = False) -> dict:
    """The article (or page) page's context apart from the comment section.

    A page has no neighbours, and its JSON-LD is a WebPage, not a BlogPosting.
    """
    headings = headings_from_html(article.body_html)
    url = canonical_of(article)
    image = share_image(article)
    meta = page_meta(
        title_of(article),
        search_description(article),
        url,
        kind="website" if article.is_page else "article",
        noindex=preview or article.noindex,
        image=image,
    )
    listed = article.is_published and not article.is_page
    shape = web_page if article.is_page else blog_posting
    return {
        "article": article,
        "preview": preview,
        "toc": headings if len(headings) >= TOC_MIN_HEADINGS else [],
        "neighbours": neighbours(article) if listed else {},
        "meta": meta,
        "json_ld": shape(article, url, image),
    }


def render_article_preview(article: Article) -> Response:
    """The article page as readers will see it, for staff previewing a draft.

    The caller checks permissions. The page is marked as a preview, is not
    indexed or cached, and shows no comment section.
    """
    context = reader_context(article, preview=True)
    response = make_response(render_template("articles/detail.html", **context))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _side(name: str, article: Article, newer: bool):
    """The nearest published article on one side of article, as a subquery."""
    columns = (Article.id, Article.slug, Article.title, Article.published_at)
    if newer:
        after = (Article.published_at > article.published_at) | (
            (Article.published_at == article.published_at) & (Article.id > article.id)
        )
        order = (Article.published_at.asc(), Article.id.asc())
    else:
        after = (Article.published_at < article.published_at) | (
            (Article.published_at == article.published_at) & (Article.id < article.id)
        )
        order = (Article.published_at.desc(), Article.id.desc())
    return (
        select(literal(name).label("side"), *columns)
        .where(Article.listed(), after)
        .order_by(*order)
        .limit(1)
        .subquery()
    )


def neighbours(article: Article) -> dict[str, Article | None]:
    """The previous (older) and next (newer) published articles, in one query."""
    both = union_all(
        select(_side("prev", article, newer=False)),
        select(_side("next", article, newer=True)),
    )
    found: dict[str, Article | None] = {"prev": None, "next": None}
    for row in db.session.execute(both):
        found[row.side] = row
    return found
