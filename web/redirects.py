"""Old addresses that answer 301 with a new one: the redirects table's keys and lookup.

An address is stored under its key (normalized_key): its path as Flask gives
it (percent-decoded), or, for WordPress's query links on the home page
(``/?p=12``), ``/?<name>=<value>`` of the one argument that names the item.
It is looked up only where a request would fail otherwise, so a request that
finds its page pays nothing: a GET or HEAD about to answer 404
(web/errors.py), and the home page when one of WORDPRESS_QUERY_ARGS is in its
query (follows_wordpress_links, before the page cache), since it answers 200
to any query.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from functools import wraps
from urllib.parse import parse_qsl
from urllib.parse import unquote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Response
from flask import redirect
from flask import request
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from models import Redirect
from models import db

# The query arguments by which WordPress links an item from its home page, in
# the order a key is made from them when a link carries several.
WORDPRESS_QUERY_ARGS = ("p", "page_id", "cat", "tag", "attachment_id", "feed", "author")
_QUERY_ARG_NAMES = frozenset(WORDPRESS_QUERY_ARGS)
# Redirect.path's length: a longer path has no row.
MAX_KEY_LENGTH = 500
# Browsers keep a 301 without a lifetime for good: a day lets an edited or
# deleted redirect take effect.
MAX_AGE_SECONDS = 86_400


def wordpress_query_key(args: Mapping[str, str]) -> str | None:
    """``/?<name>=<value>`` of the first WordPress query argument in args, or None."""
    for name in WORDPRESS_QUERY_ARGS:
        value = args.get(name)
        if value:
            return "/?" + urlencode({name: value})
    return None


def normalized_key(path: str, args: Mapping[str, str] | None = None) -> str:
    """The key an address is stored and looked up under.

    path is percent-decoded (Flask's request.path); args are its query
    arguments, which count only on the home page, for a WordPress query link.
    """
    if path == "/" and args:
        return wordpress_query_key(args) or path
    return path


def key_for_address(address: str) -> str:
    """normalized_key of an address as typed or imported (``/2019/hi/``, ``/?p=12``)."""
    parts = urlsplit(address.strip())
    args = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
    return normalized_key(unquote(parts.path) or "/", args)


def path_keys(path: str) -> list[str]:
    """The keys a missing page is looked up under: its path, then the same path
    with or without a trailing slash."""
    if len(path) > MAX_KEY_LENGTH + 1:
        return []
    other = path[:-1] if path.endswith("/") else f"{path}/"
    return [key for key in (path, other) if key not in ("", "/")]


def find_redirect(keys: Sequence[str]) -> str | None:
    """The target of the first of keys that has a redirect, or None (one query)."""
    keys = [key for key in keys if len(key) <= MAX_KEY_LENGTH]
    if not keys:
        return None
    rows = db.session.execute(
        select(Redirect.path, Redirect.target).where(Redirect.path.in_(keys))
    )
    targets = {path: target for path, target in rows}
    # A target that is one of the addresses looked up would answer with itself.
    return next(
        (
            targets[key]
            for key in keys
            if key in targets and key_for_address(targets[key]) not in keys
        ),
        None,
    )


def moved_permanently(target: str) -> Response:
    """A 301 to target, kept by browsers and proxies for a day."""
    response = redirect(target, code=301)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response


def redirect_for_missing_page() -> Response | None:
    """The 301 a GET or HEAD that found no page answers instead of 404, if any."""
    if request.method not in ("GET", "HEAD"):
        return None
    target = find_redirect(path_keys(request.path))
    return moved_permanently(target) if target is not None else None


def follows_wordpress_links(view: Callable) -> Callable:
    """Answer a WordPress query link (``/?p=12``) that has a redirect before view
    runs; any other request goes straight to view (and its page cache)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _QUERY_ARG_NAMES.isdisjoint(request.args.keys()):
            key = wordpress_query_key(request.args)
            target = find_redirect([key]) if key else None
            if target is not None:
                return moved_permanently(target)
        return view(*args, **kwargs)

    return wrapped
