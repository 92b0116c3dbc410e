"""Absolute URLs, for mail, feeds and page metadata (which leave the request)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import url_for


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for endpoint: under SITE_URL when set, else the request's."""
    site_url = str(current_app.config.get("SITE_URL") or "").rstrip("/")
    if site_url:
        return site_url + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
