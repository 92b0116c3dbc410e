"""Lists of published articles: one page of cards, and the tag cloud."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from flask import abort
from flask import current_app
from flask import request
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import defer
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from models import Article
from models import Tag
from models import User
from models import article_tags
from models import db

MAX_PAGE = 100_000
TAG_CLOUD_SIZE = 40
# What a byline shows (templates/articles/_byline.html): the author and their
# avatar, joined into the statement that loads the articles.
BYLINE = joinedload(Article.author).joinedload(User.avatar)


@dataclass
class ArticlePage:
    """One page of articles; has_next is known by fetching one row more."""

    items: list[Article]
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def next_num(self) -> int:
        return self.number + 1

    @property
    def prev_num(self) -> int:
        return self.number - 1


@dataclass
class TagCount:
    name: str
    slug: str
    count: int


def page_number() -> int:
    """The ?page= argument: absent or empty is 1, anything not a number is a 400."""
    raw = request.args.get("page", "").strip()
    if not raw:
        return 1
    if not raw.isascii() or not raw.isdigit():
        abort(400, "The page number must be a whole number.")
    # A huge number is simply past the end; int() of thousands of digits raises.
    number = int(raw) if len(raw) <= 9 else MAX_PAGE + 1
    if number < 1 or number > MAX_PAGE:
        abort(404)
    return number


def per_page() -> int:
    """Articles per list page, from configuration."""
    return max(1, int(current_app.config["ARTICLES_PER_PAGE"]))


def published_ids() -> Select:
    """Ids of published articles (and the sort key), newest first; narrow with .where().

    It reads only ix_articles_kind_status_published_at_id, which holds every
    column it needs (a covering index scan, in order, no sort), so the thousands of
    rows a deep page's OFFSET skips are never read from the table.
    """
    return (
        select(Article.id, Article.published_at)
        .where(Article.listed())
        .order_by(Article.published_at.desc(), Article.id.desc())
    )


def cards(ids: Select, *options) -> list[Article]:
    """The articles ids picks, newest first, with what a card shows loaded.

    A deferred join: ids (published_ids() with a LIMIT and OFFSET) picks the
    page's rows from the index, and only those rows are read from the table.
    The author (with their avatar) and the cover image are joined into the
    same statement and the tags come in one more (selectin), so a page costs
    two statements however long or deep it is. options: more to load (a
    feed's social images).
    """
    page = ids.subquery("page")
    return list(
        db.session.scalars(
            select(Article)
            .join(page, page.c.id == Article.id)
            .options(
                BYLINE,
                joinedload(Article.cover),
                selectinload(Article.tags),
                defer(Article.body),
                *options,
            )
            # The page's own columns, so the database sorts the page's few
            # rows rather than walking the table in order to find them.
            .order_by(page.c.published_at.desc(), page.c.id.desc())
        ).unique()
    )


def article_page(ids: Select, number: int) -> ArticlePage:
    """Page number of ids (published_ids()); a page past the end but page 1 is a 404."""
    size = per_page()
    rows = cards(ids.limit(size + 1).offset((number - 1) * size))
    if number > 1 and not rows:
        abort(404)
    return ArticlePage(items=rows[:size], number=number, has_next=len(rows) > size)


def tag_cloud(version: Hashable) -> list[TagCount]:
    """The tags with published articles and how many each has.

    One aggregate query, remembered per process until version (the site's
    content version, versions.site_version()) changes. Each app keeps its own
    copy (tests build many apps).
    """
    cache = current_app.extensions.setdefault("folio_tag_cloud", {})
    if "tags" in cache and cache.get("version") == version:
        return cache["tags"]
    counts = (
        select(article_tags.c.tag_id, func.count().label("n"))
        .join(Article, Article.id == article_tags.c.article_id)
        .where(Article.listed())
        .group_by(article_tags.c.tag_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Tag.name, Tag.slug, counts.c.n)
        .join(counts, counts.c.tag_id == Tag.id)
        .order_by(counts.c.n.desc(), Tag.name)
        .limit(TAG_CLOUD_SIZE)
    )
    tags = sorted(
        (TagCount(name, slug, n) for name, slug, n in rows),
        key=lambda tag: tag.name.lower(),
    )
    cache.update(tags=tags, version=version)
    return tags
