"""Absolute URLs, for mail, feeds and page metadata (which leave the request).

Every one is built on the configured site URL, never on the request's Host
header: a forged Host would otherwise reach mail, cached pages and feeds.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import url_for


def site_url() -> str:
    """The configured public base URL, without a trailing slash."""
    return current_app.config["SITE_URL"]


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for endpoint, under the configured site URL."""
    return site_url() + url_for(endpoint, **values)
