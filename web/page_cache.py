"""The anonymous reader's article page, rendered once per content version.

Readers without a session of their own (no staff login, no remembered commenter,
no comments awaiting moderation, no flashed message) all get the same page but
for three per-response values: the CSRF token, the comment form's signed
timestamp and the CSP nonce. The page is rendered once with those in place,
stored as UTF-8 bytes cut where they were, and each response joins the parts
with fresh values.

The cache key is the content version, read by one light query: the article's
own version (``updated_at``, ``comments_version``, whether comments are open) and
two site-wide values that move whenever a neighbouring article can change (the
newest ``updated_at`` and the newest visible ``published_at``, which moves when
a scheduled article goes live). Nothing stale is served: a changed version is a
new key. Entries also expire after a while so memory stays bounded.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from functools import lru_cache
from threading import Lock

from flask import current_app
from flask import g
from flask import request
from flask import session
from flask_login.config import COOKIE_NAME
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

from blueprints.comments.cookies import HELD_COOKIE
from blueprints.comments.cookies import REMEMBER_COOKIE
from models import Article
from models import ArticleStatus
from models import db
from models import utcnow
from storage.prepared import Prepared
from web.form_guard import form_timestamp
from web.per_response import STAMP
from web.per_response import CachedPage
from web.security import csp_nonce
from web.signing import csrf_token

MAX_ENTRIES = 128
MAX_AGE_SECONDS = 300


class PageCache:
    """A small per-process LRU of rendered pages, split at their per-response values."""

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple, tuple[float, CachedPage]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self._pages.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + MAX_AGE_SECONDS, page)
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_ENTRIES:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def page_cache() -> PageCache:
    """This app's cache (one per app, so test apps never share pages)."""
    return current_app.extensions.setdefault("folio_page_cache", PageCache())


def cacheable_request() -> bool:
    """True for a plain anonymous GET that every such reader sees alike."""
    if request.method != "GET" or request.args or request.headers.get("HX-Request"):
        return False
    cookies = request.cookies
    if HELD_COOKIE in cookies or REMEMBER_COOKIE in cookies:
        return False
    return signed_out() and "_flashes" not in session


def signed_out() -> bool:
    """True when Flask-Login has no user to load for this request, without loading.

    It signs a user in from the session's ``_user_id`` or from its remember
    cookie (Folio registers no request or header loader), so a visitor with
    neither is anonymous; a visitor with either takes the full path, where
    Flask-Login decides.
    """
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    return "_user_id" not in session and remember not in request.cookies


@lru_cache(maxsize=1)
def _version_query() -> Prepared:
    # Built and compiled once, run on the DB-API cursor: SQLAlchemy's own
    # execute() would cost several times what SQLite needs for it.
    now = bindparam("now")
    visible = (Article.status == ArticleStatus.PUBLISHED) & (
        Article.published_at <= now
    )
    newest_update = select(func.max(Article.updated_at)).scalar_subquery()
    newest_visible = (
        select(func.max(Article.published_at)).where(visible).scalar_subquery()
    )
    return Prepared(
        select(
            Article.id,
            Article.updated_at,
            Article.comments_version,
            Article.comments_open,
            Article.published_at,
            newest_update,
            newest_visible,
        ).where(Article.slug == bindparam("slug"), visible)
    )


def current_version(slug: str, comments_open_now) -> tuple | None:
    """The content version (the cache key) of the visible article at slug, in one query."""
    # On a connection of its own, not the session's: on a hit (most requests)
    # the session then never starts, and on SQLite (in autocommit mode) the one
    # statement runs without BEGIN and ROLLBACK. On a miss the page is rendered
    # afterwards in the session's own transaction, so a stored page is never
    # older than the version it is stored under.
    with db.engine.connect() as connection:
        row = _version_query().first(connection, {"slug": slug, "now": utcnow()})
    if row is None:
        return None
    article_id, updated_at, comments_version, comments_open, published_at = row[:5]
    open_now = comments_open_now(comments_open, published_at)
    return (article_id, updated_at, comments_version, open_now, row[5], row[6])


def store(key: tuple, html: str) -> None:
    """Keep a freshly rendered page, split where its per-response values were."""
    values = [csrf_token(), csp_nonce(), getattr(g, "folio_form_stamp", None)]
    page_cache().put(key, CachedPage.split(html, values))


def fill(page: CachedPage) -> bytes:
    """A cached page with this response's token, nonce and form timestamp."""
    # The timestamp is signed only when the page has a form to put it in.
    stamp = form_timestamp() if STAMP in page.slots else ""
    return page.join([csrf_token().encode(), csp_nonce().encode(), stamp.encode()])
