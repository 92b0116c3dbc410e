"""Absolute URLs, for mail, feeds and page metadata (which leave the request).

Every one is built on the configured site URL, never on the request's Host
header: a forged Host would otherwise reach mail, cached pages and feeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app
from flask import has_request_context
from flask import url_for


def site_url() -> str:
    """The configured public base URL, without a trailing slash."""
    return current_app.config["SITE_URL"]


@contextmanager
def urls_outside_requests() -> Iterator[None]:
    """Let url_for build the site's addresses in a command or a worker thread.

    Outside a request, url_for needs one to build on: the configured site URL's.
    """
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=site_url()):
        yield


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for endpoint, under the configured site URL."""
    return site_url() + url_for(endpoint, **values)
