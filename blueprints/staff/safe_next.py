"""The `next` parameter after sign-in: same-site paths only."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from flask import url_for


def safe_next(target: str | None) -> str | None:
    """Return target when it is a path on this site, None otherwise.

    Refuses absolute and scheme-relative URLs (//evil.com), backslashes that
    browsers read as slashes (/\\evil.com), control characters and any scheme
    (javascript:).
    """
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def back_to_queue() -> str:
    """Where a moderation action returns: the request's safe `next` (query or
    form), else the moderation queue."""
    return safe_next(request.values.get("next")) or url_for("staff.comments")
