"""The content versions reader pages are cached under: each one cheap query.

A version is a tuple that changes whenever anything its page shows can change,
so a cached page is never stale (web/page_cache.py). Every page shares the
site's part: the newest ``updated_at`` (an article created, edited, unpublished,
retagged, one of its tags renamed, its cover changed, or an image it shows
described, replaced or made ready), the newest visible ``published_at``
(a scheduled article going live) and the number of articles (one deleted),
pages included, then the site's ``menus`` counter and the number of menu
items: every page shows the menus, and they are keyed on this part (menus.py).
Comments do not move those: an article's ``comments_version`` does
(Article.comments_changed), so the article page reads its own, and the site's
``comment_counts`` counter (models.SiteCounter) does, which the list pages
read, since their cards show comment counts. A list page's version is then the
same for every page number (the number is added to it), so a deep page costs
what the first does.

The statements are built once and run on a connection of their own, not the
session's: on a hit (most requests) the session then never starts, and on
SQLite (in autocommit mode) the one statement runs without BEGIN and ROLLBACK.
On a miss the page is rendered afterwards in the session's own transaction, so
a stored page is never older than the version it is stored under.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import ColumnElement
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

from blueprints.articles import listing
from blueprints.articles.menus import note_site_version
from blueprints.comments.section import comments_open_now
from models import COMMENT_COUNTS
from models import MENU_CHANGES
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import Media
from models import MenuItem
from models import SiteCounter
from models import Tag
from models import User
from models import db
from models import utcnow
from storage.prepared import Prepared


def _visible() -> ColumnElement[bool]:
    """Article.visible() with "now" a parameter, for a statement built once."""
    return (Article.status == ArticleStatus.PUBLISHED) & (
        Article.published_at <= bindparam("now")
    )


def _counter(name: str) -> ColumnElement:
    """The value of one of the site's counters (models.SiteCounter)."""
    return select(SiteCounter.value).where(SiteCounter.name == name).scalar_subquery()


def _site_columns() -> list:
    """The site's part of every version, as scalar subqueries; it ends every row.

    Articles and pages alike (a menu shows pages), the menus counter and the
    number of menu items: the menus every page shows are keyed on this part.
    """
    return [
        select(func.max(Article.updated_at)).scalar_subquery(),
        select(func.max(Article.published_at)).where(_visible()).scalar_subquery(),
        select(func.count()).select_from(Article).scalar_subquery(),
        _counter(MENU_CHANGES),
        select(func.count()).select_from(MenuItem).scalar_subquery(),
    ]


SITE_COLUMNS = len(_site_columns())


def _run(query: Prepared, **values: object) -> tuple | None:
    """One row of a version query, on a connection of its own.

    The row's site part is noted for the menus this request renders.
    """
    with db.engine.connect() as connection:
        row = query.first(connection, {"now": utcnow(), **values})
    if row is not None:
        note_site_version(tuple(row[-SITE_COLUMNS:]))
    return row


@lru_cache(maxsize=1)
def _site_query() -> Prepared:
    return Prepared(select(*_site_columns()))


def site_version() -> tuple:
    """What every list shows depends on at least (the tag cloud is keyed on it)."""
    return _run(_site_query())


@lru_cache(maxsize=2)
def _article_query(kind: ArticleKind) -> Prepared:
    return Prepared(
        select(
            Article.id,
            Article.updated_at,
            Article.comments_version,
            Article.comments_open,
            Article.published_at,
            *_site_columns(),
        ).where(Article.slug == bindparam("slug"), Article.kind == kind, _visible())
    )


def _reader_version(kind: ArticleKind, slug: str) -> tuple | None:
    """The version of the visible article or page at slug (None: not found)."""
    row = _run(_article_query(kind), slug=slug)
    if row is None:
        return None
    comments_open, published_at = row[3], row[4]
    # Comments close by age too: the form's presence is part of the version.
    open_now = comments_open_now(comments_open, published_at)
    return (*row[:3], open_now, *row[5:])


def article_version(slug: str) -> tuple | None:
    """The version of the visible article at slug (None: not found)."""
    return _reader_version(ArticleKind.ARTICLE, slug)


def page_version(slug: str) -> tuple | None:
    """The version of the visible page at slug (None: not found)."""
    return _reader_version(ArticleKind.PAGE, slug)


@lru_cache(maxsize=1)
def _home_query() -> Prepared:
    return Prepared(select(_counter(COMMENT_COUNTS), *_site_columns()))


@lru_cache(maxsize=1)
def _tag_query() -> Prepared:
    name = select(Tag.name).where(Tag.slug == bindparam("slug")).scalar_subquery()
    return Prepared(select(name, _counter(COMMENT_COUNTS), *_site_columns()))


def home_version() -> tuple:
    """The version of a page of the article list (with the tag cloud)."""
    # The parsed page, not the raw argument: ?page=01 is the page ?page=1 is.
    return (*_run(_home_query()), listing.page_number())


def tag_version(slug: str) -> tuple | None:
    """The version of a page of one tag's articles (None: no such tag)."""
    row = _run(_tag_query(), slug=slug)
    if row is None or row[0] is None:
        return None
    return (*row, listing.page_number())


@lru_cache(maxsize=1)
def _author_query() -> Prepared:
    return Prepared(
        select(
            User.id,
            User.updated_at,
            # The avatar's own changes (described, replaced, made ready).
            Media.updated_at,
            _counter(COMMENT_COUNTS),
            *_site_columns(),
        )
        .outerjoin(Media, Media.id == User.avatar_id)
        .where(User.slug == bindparam("slug"))
    )


def author_version(slug: str) -> tuple | None:
    """The version of a page of one author's articles (None: no such author).

    A change to what the page shows of the account moves users.updated_at
    (models._profile_changed), a described or replaced avatar its media row's; what the list shows is the site's part, as on tag pages.
    """
    row = _run(_author_query(), slug=slug)
    if row is None:
        return None
    return (*row, listing.page_number())
