"""Lists of published articles: one page of cards, and the tag cloud."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from dataclasses import field

from flask import abort
from flask import current_app
from flask import request
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import union_all
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
# Featured articles (WordPress's sticky posts) atop the home page's first page.
MAX_FEATURED = 5
# What a byline shows (templates/articles/_byline.html): the author and their
# avatar, joined into the statement that loads the articles.
BYLINE = joinedload(Article.author).joinedload(User.avatar)


@dataclass
class ArticlePage:
    """One page of articles; has_next is known by fetching one row more.

    featured: the featured articles shown above the list (the home page's
    first page only).
    """

    items: list[Article]
    number: int
    has_next: bool
    featured: list[Article] = field(default_factory=list)

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
            _card_query(page, *options)
            # The page's own columns, so the database sorts the page's few
            # rows rather than walking the table in order to find them.
            .order_by(page.c.published_at.desc(), page.c.id.desc())
        ).unique()
    )


def _card_query(page, *options) -> Select:
    """The articles of page (a subquery with their ids), with what a card shows."""
    return (
        select(Article)
        .join(page, page.c.id == Article.id)
        .options(
            BYLINE,
            joinedload(Article.cover),
            selectinload(Article.tags),
            defer(Article.body),
            *options,
        )
    )


def article_page(ids: Select, number: int) -> ArticlePage:
    """Page number of ids (published_ids()); a page past the end but page 1 is a 404."""
    size = per_page()
    rows = cards(ids.limit(size + 1).offset((number - 1) * size))
    if number > 1 and not rows:
        abort(404)
    return ArticlePage(items=rows[:size], number=number, has_next=len(rows) > size)


def home_page(number: int) -> ArticlePage:
    """Page number of the home page; the first has the featured articles on top.

    Like WordPress's sticky posts: the newest MAX_FEATURED featured articles
    head the first page, which lists the rest of its articles as usual; one
    older than the first page is listed again in its place on a later page.
    The featured rows and the page's come in the one statement (a UNION ALL),
    so the first page costs what any other does.
    """
    if number > 1:
        return article_page(published_ids(), number)
    size = per_page()
    featured = published_ids().where(Article.featured).limit(MAX_FEATURED)
    slots = _slotted(featured, published_ids().limit(size + 1))
    rows = db.session.execute(
        _card_query(slots)
        .add_columns(slots.c.slot)
        .order_by(slots.c.slot, slots.c.published_at.desc(), slots.c.id.desc())
    ).all()
    top = [article for article, slot in rows if slot == 0]
    listed = [article for article, slot in rows if slot == 1]
    shown = {article.id for article in top}
    return ArticlePage(
        items=[article for article in listed[:size] if article.id not in shown],
        number=1,
        has_next=len(listed) > size,
        featured=top,
    )


def _slotted(*parts: Select):
    """The rows of each ids query (with LIMITs), numbered by a slot column from 0."""
    subqueries = [part.subquery(f"slot{n}") for n, part in enumerate(parts)]
    return union_all(
        *(
            select(
                literal_column(str(n), Integer).label("slot"),
                sub.c.id,
                sub.c.published_at,
            )
            for n, sub in enumerate(subqueries)
        )
    ).subquery("page")


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
