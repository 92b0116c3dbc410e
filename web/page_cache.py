"""The anonymous page cache: a view opts in with one decorator.

    @bp.get("/articles/<slug>")
    @cached(version=article_version, per_response=COMMENT_FORM_VALUES)
    def detail(slug): ...

Readers without a session of their own (no staff login, no flashed message)
get the same page but for its per-response values: the CSRF token, the CSP
nonce and whatever the view declares in ``per_response`` (a form's signed
timestamp, a remembered commenter's details), each a function giving this
response's value. The page is rendered once, stored as UTF-8 bytes cut where
those values go (web/per_response.py), and each response joins the parts with
fresh values, HTML-escaped. A visitor's own values are never stored.

The key is the view's ``version(**view_args)``: anything hashable that changes
whenever the page would, the query arguments it declares included (None: not
found, render it normally), read by one cheap query; with it, whether htmx
asked for the fragment. Absolute links in a page come from the configured site
URL (web/urls.py), never from the request's Host, so no request can put a host
of its own into a stored page. Nothing stale is served: a changed version is a
new key; entries also expire so memory stays bounded.

While the decorator renders a page to keep, code that puts a declared value
into the page asks ``per_response_value(name, value)`` for its text: the marker
the page is cut at. That is the one thing this module keeps on ``g``, set and
removed around the view call; outside such a render it is this response's value.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Mapping
from functools import wraps
from threading import Lock
from typing import Any

from flask import Response
from flask import current_app
from flask import g
from flask import make_response
from flask import request
from flask_login import current_user
from markupsafe import Markup
from markupsafe import escape

from web.htmx import wants_fragment
from web.http_caching import not_modified
from web.http_caching import not_modified_response
from web.http_caching import private_page
from web.http_caching import visitor_etag
from web.per_response import CSRF
from web.per_response import NONCE
from web.per_response import CachedPage
from web.per_response import marker
from web.security import csp_nonce
from web.signing import csrf_token
from web.site_settings import settings_version
from web.visitor import has_flashes
from web.visitor import signed_out

MAX_ENTRIES = 128
MAX_AGE_SECONDS = 300
_RENDERING = "folio_page_cache_markers"

# This response's value of a per-response value: a str is escaped, Markup is not.
Value = Callable[[], str]


class PageCache:
    """A small per-process LRU of rendered pages, split at their per-response values."""

    def __init__(self) -> None:
        self._pages: OrderedDict[Hashable, tuple[float, CachedPage]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> CachedPage | None:
        """The page stored under key, unless absent or expired."""
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self._pages.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, page: CachedPage) -> None:
        """Keep page under key, dropping the least recently used beyond the limit."""
        with self._lock:
            self._pages[key] = (time.monotonic() + MAX_AGE_SECONDS, page)
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_ENTRIES:
                self._pages.popitem(last=False)

    def pages(self) -> list[CachedPage]:
        """Every stored page (tests check what is kept)."""
        with self._lock:
            return [page for _, page in self._pages.values()]

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._pages.clear()


def page_cache() -> PageCache:
    """This app's cache (one per app, so test apps never share pages)."""
    return current_app.extensions.setdefault("folio_page_cache", PageCache())


def _cacheable(query: tuple[str, ...]) -> bool:
    """True for a plain request (the caller has ruled out all but anonymous GETs).

    query: the arguments the version accounts for. signed_out() (no session
    user, no remember cookie) also rules out a visitor Flask-Login would
    only have found anonymous after trying to load them. An htmx request for
    the fragment is cached apart from the page (see the key); one that is
    boosted or restores history gets the whole page and is not cached.
    """
    if request.headers.get("HX-Request") and not wants_fragment():
        return False
    return all(name in query for name in request.args) and signed_out()


def per_response_value(name: str, value: Value) -> str:
    """What a page shows for the per-response value name: value(), or while the
    page cache renders a page to keep, the marker it cuts the page at."""
    markers = g.get(_RENDERING)
    if markers is None:
        return value()
    if name not in markers:
        # Rendering it would store one visitor's value for every reader.
        raise LookupError(
            f"{request.endpoint} shows the per-response value {name!r}:"
            " declare it in @cached(per_response=...)"
        )
    return Markup(markers[name])


def cached(
    version: Callable[..., Hashable | None],
    *,
    per_response: Mapping[str, Value] | None = None,
    query: tuple[str, ...] = (),
    bypass: Callable[[], bool] | None = None,
) -> Callable:
    """Serve a view's page to anonymous readers from the cache, keyed on version.

    per_response: the values the page shows that differ per response, by name.
    query: request arguments the version accounts for (others skip the cache).
    bypass: True when this visitor sees something of their own (no caching,
    but still an ETag from the version).
    """
    values = dict(per_response or {})

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            if request.method not in ("GET", "HEAD") or not _anonymous():
                return _private(view(**kwargs), None)
            key = version(**kwargs)
            if key is None:
                return _private(view(**kwargs), None)
            # Every page shows settings (the title at least): their version is
            # part of every key, so a change is a new key, at no query's cost.
            key = (request.endpoint, wants_fragment(), settings_version(), key)
            etag = visitor_etag([key, sorted(request.args.items(multi=True))])
            if not_modified(etag):
                return not_modified_response(etag)
            if not _cacheable(query) or (bypass is not None and bypass()):
                return _private(view(**kwargs), etag)
            page = page_cache().get(key)
            if page is None:
                page = _render(view, kwargs, values)
                if page is None:
                    # Not a 200 (a race with a delete): that render holds
                    # markers, so the visitor gets one of their own.
                    return _private(view(**kwargs), etag)
                page_cache().put(key, page)
            response = make_response(page.join(_fresh(page, values)))
            return private_page(response, etag, vary=("HX-Request",))

        return wrapper

    return decorate


def _anonymous() -> bool:
    """A visitor who sees the readers' page: no staff user, no flashed message."""
    if has_flashes():
        return False
    return signed_out() or not current_user.is_authenticated


def _private(result: Any, etag: str | None) -> Response:
    """The view's own response, marked as a private page when it is one."""
    response = make_response(result)
    if response.status_code != 200:
        return response
    return private_page(response, etag)


def _render(
    view: Callable[..., Any], kwargs: dict, values: Mapping[str, Value]
) -> CachedPage | None:
    """The view's page rendered with markers for its values and cut there (None: not a 200)."""
    markers = {name: marker() for name in values}
    g.setdefault(_RENDERING, markers)
    try:
        response = make_response(view(**kwargs))
    finally:
        g.pop(_RENDERING, None)
    if response.status_code != 200 or response.is_streamed:
        return None
    cuts = {CSRF: csrf_token(), NONCE: csp_nonce(), **markers}
    return CachedPage.split(response.get_data(as_text=True), cuts)


def _fresh(page: CachedPage, values: Mapping[str, Value]) -> dict[str, bytes]:
    """This response's value for every slot the page has, HTML-escaped."""
    fresh = {}
    for slot in set(page.slots):
        if slot == CSRF:
            fresh[slot] = csrf_token().encode()
        elif slot == NONCE:
            fresh[slot] = csp_nonce().encode()
        else:
            fresh[slot] = str(escape(values[slot]())).encode()
    return fresh
