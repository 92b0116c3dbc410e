"""Atom feeds of approved comments: one article's (or page's) and the site's.

Each costs at most two queries: a cheap one for the version the ETag is made
of (the article's comments_version, or the site's comment_counts counter), so
a reader whose copy is current gets a 304 at that price, then the newest
entries. Only approved comments of kind "comment" appear (no pingbacks, held,
spam, trashed or removed ones), and never an email address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Response
from flask import current_app
from flask import url_for
from sqlalchemy import func
from sqlalchemy import select

from blueprints.articles.page import reader_endpoint
from blueprints.comments.records import ArticleRef
from models import COMMENT_COUNTS
from models import Article
from models import ArticleKind
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import SiteCounter
from models import db
from models import utcnow
from web.atom import atom_document
from web.atom import feed_etag
from web.atom import tag_uri
from web.atom import unchanged
from web.urls import absolute_url

FEED_SIZE = 50
TEMPLATE = "comments/feed.xml"


@dataclass(frozen=True)
class FeedEntry:
    """One comment as a feed shows it: no email, its article's title and address."""

    id: int
    author_name: str
    author_url: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    article_title: str
    article_slug: str
    article_kind: ArticleKind

    @property
    def permalink(self) -> str:
        """The comment's absolute address on its article's page."""
        return absolute_url(
            reader_endpoint(self.article_kind),
            slug=self.article_slug,
            _anchor=f"comment-{self.id}",
        )

    @property
    def author_uri(self) -> str:
        """The author's web address when it is http(s), else ""."""
        url = (self.author_url or "").strip()
        return url if url.lower().startswith(("http://", "https://")) else ""

    @property
    def updated(self) -> datetime:
        """When its text last changed: edited, else posted."""
        return self.edited_at or self.created_at

    @property
    def tag(self) -> str:
        """The entry's permanent id."""
        return tag_uri(self.created_at.date(), f"comment-{self.id}")


def _entries(*conditions) -> list[FeedEntry]:
    """The newest approved comments matching conditions, with their article (one query)."""
    rows = db.session.execute(
        select(
            Comment.id,
            Comment.author_name,
            Comment.author_url,
            Comment.body,
            Comment.created_at,
            Comment.edited_at,
            Article.title.label("article_title"),
            Article.slug.label("article_slug"),
            Article.kind.label("article_kind"),
        )
        .join(Article, Article.id == Comment.article_id)
        .where(
            Comment.status == CommentStatus.APPROVED,
            Comment.kind == CommentKind.COMMENT,
            Comment.removed_at.is_(None),
            *conditions,
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(FEED_SIZE)
    )
    return [FeedEntry(**row._mapping) for row in rows]


def _updated(entries: list[FeedEntry]) -> datetime:
    """When the feed last changed: its newest entry or edit, else now."""
    newest = max((e.updated for e in entries), default=None)
    return (newest or utcnow()).replace(microsecond=0)


def article_feed(article: ArticleRef) -> Response:
    """The comments feed of one visible article or page (the caller found it)."""
    etag = feed_etag(
        [
            "comments",
            article.id,
            article.slug,
            article.title,
            article.kind,
            article.comments_version,
        ]
    )
    answer = unchanged(etag)
    if answer is not None:
        return answer
    entries = _entries(Comment.article_id == article.id)
    endpoint = reader_endpoint(article.kind)
    self_url = absolute_url(feed_endpoint(article.kind), slug=article.slug)
    return atom_document(
        TEMPLATE,
        etag,
        _updated(entries),
        title=f"Comments on “{article.title}”",
        self_url=self_url,
        alternate=absolute_url(endpoint, slug=article.slug, _anchor="comments"),
        entries=entries,
    )


def _site_version() -> tuple:
    """What the site feed depends on, in one query: any comment's change, and
    any article's (a title edited, an article unpublished or gone live)."""
    counter = select(SiteCounter.value).where(SiteCounter.name == COMMENT_COUNTS)
    visible = select(func.max(Article.published_at)).where(Article.visible())
    row = db.session.execute(
        select(
            counter.scalar_subquery(),
            select(func.max(Article.updated_at)).scalar_subquery(),
            visible.scalar_subquery(),
            select(func.count()).select_from(Article).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def site_feed() -> Response:
    """The comments feed of the whole site (articles, and pages that take comments)."""
    etag = feed_etag(["site comments", *_site_version()])
    answer = unchanged(etag)
    if answer is not None:
        return answer
    entries = _entries(
        Article.visible(),
        (Article.kind == ArticleKind.ARTICLE) | Article.comments_open,
    )
    return atom_document(
        TEMPLATE,
        etag,
        _updated(entries),
        title=f"{current_app.config['SITE_TITLE']}: comments",
        self_url=absolute_url("comments.site_feed"),
        alternate=absolute_url("articles.index"),
        entries=entries,
    )


def feed_endpoint(kind: ArticleKind) -> str:
    """The endpoint of the comments feed of an article or a page of this kind."""
    return "comments.page_feed" if kind == ArticleKind.PAGE else "comments.article_feed"


def feed_url(article) -> str:
    """The comments feed's address for an Article or ArticleRef (a template global)."""
    return url_for(feed_endpoint(article.kind), slug=article.slug)
