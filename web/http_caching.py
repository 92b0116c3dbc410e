"""HTTP validators for reader pages and feeds: ETag, 304, and who may cache.

HTML pages carry a per-visitor CSRF token (and may show a visitor's own pending
comment), so they are `private, no-cache`: the browser keeps its copy and asks
again each time, a shared cache never stores them. Their ETag mixes in a hash
of the visitor's session (which holds their CSRF token) and other cookies (the
comment section reads its own), so a 304 is only given for the same visitor's
copy, and never while a flashed message is waiting. Feeds and the sitemap hold nothing per visitor and may be cached by
anyone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from flask import Response
from flask import make_response
from flask import request

from web.htmx import wants_fragment
from web.signing import csrf_token
from web.visitor import visitor_state

PUBLIC_MAX_AGE = 300


def fingerprint(parts: Iterable[object]) -> str:
    """A short stable hash of everything a response's content depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def visitor_etag(parts: Iterable[object]) -> str:
    """The ETag of an HTML page for this visitor (the caller has ruled out staff,
    flashed messages and non-GETs, which get none)."""
    # The page will embed the token; make it now so the ETag of the first
    # response already matches the session the browser sends back.
    csrf_token()
    return fingerprint([wants_fragment(), visitor_state(), *parts])


def not_modified(etag: str | None, last_modified: datetime | None = None) -> bool:
    """True when the client's copy (If-None-Match / If-Modified-Since) is current."""
    if etag is None:
        return False
    if request.if_none_match:
        # Weak comparison (RFC 9110): a proxy that compresses weakens the tag.
        return request.if_none_match.contains_weak(etag)
    if last_modified is not None and request.if_modified_since is not None:
        return last_modified.replace(microsecond=0) <= request.if_modified_since
    return False


def private_page(
    response: Response, etag: str | None, vary: tuple[str, ...] = ()
) -> Response:
    """Mark an HTML page: the browser may keep it but must revalidate.

    vary names request headers the page also depends on, added to Vary with
    Cookie in one update (each update parses and rewrites the header).
    """
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update((*vary, "Cookie"))
    if etag is not None:
        response.set_etag(etag)
    return response


def public_resource(
    response: Response, etag: str, last_modified: datetime | None = None
) -> Response:
    """Mark a feed or sitemap: anyone may cache it briefly, then revalidate."""
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    return response


def not_modified_response(
    etag: str, private: bool = True, last_modified: datetime | None = None
) -> Response:
    """An empty 304 carrying the same validators and cache rules."""
    response = make_response("", 304)
    if private:
        return private_page(response, etag, vary=("HX-Request",))
    return public_resource(response, etag, last_modified)
