"""The commenter's cookies: opt-in remembered details and the signed list of held comments.

Both are signed with the secret key, so a visitor can neither forge a list of
other people's held comment ids nor plant details in someone else's form.
"""

from __future__ import annotations

import time
from functools import lru_cache

from flask import Response
from flask import current_app
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

REMEMBER_COOKIE = "folio_commenter"
HELD_COOKIE = "folio_held"
REMEMBER_MAX_AGE = 365 * 24 * 3600
HELD_MAX_AGE = 30 * 24 * 3600
# A browser keeps the ids of its last few held comments, which bounds the cookie.
HELD_KEEP = 20


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _set(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        path="/",
    )


def remembered_author() -> dict[str, str]:
    """The name, email and website this browser opted to remember (or {})."""
    raw = request.cookies.get(REMEMBER_COOKIE)
    if not raw:
        return {}
    found = _read_remembered(current_app.config["SECRET_KEY"], raw)
    if found is None or time.time() - found[1] > REMEMBER_MAX_AGE:
        return {}
    return dict(found[0])


@lru_cache(maxsize=1024)
def _read_remembered(secret: str, raw: str) -> tuple[dict[str, str], float] | None:
    """The details in a remember-me cookie and when they were signed (None: invalid).

    Remembered per process: a cached page fills in each detail separately,
    and the same returning reader comes back with the same cookie.
    """
    serializer = URLSafeTimedSerializer(secret, salt="folio.commenter")
    try:
        data, signed_at = serializer.loads(raw, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    details = {k: str(data.get(k) or "") for k in ("name", "email", "url")}
    return details, signed_at.timestamp()


def remember_author(response: Response, name: str, email: str, url: str) -> None:
    """Remember the commenter's details in this browser (they opted in)."""
    value = _serializer("folio.commenter").dumps(
        {"name": name, "email": email, "url": url}
    )
    _set(response, REMEMBER_COOKIE, value, REMEMBER_MAX_AGE)


def forget_author(response: Response) -> None:
    """Drop remembered details (the commenter did not opt in this time)."""
    if REMEMBER_COOKIE in request.cookies:
        response.delete_cookie(REMEMBER_COOKIE, path="/")


def has_held_comments() -> bool:
    """True when this browser keeps a list of its comments awaiting moderation."""
    return HELD_COOKIE in request.cookies


def held_comment_ids() -> list[int]:
    """Ids of comments this browser posted that are awaiting moderation."""
    raw = request.cookies.get(HELD_COOKIE)
    if not raw:
        return []
    try:
        data = _serializer("folio.held-comments").loads(raw, max_age=HELD_MAX_AGE)
    except BadSignature:
        return []
    if not isinstance(data, list):
        return []
    return [i for i in data if isinstance(i, int)][-HELD_KEEP:]


def add_held_comment(response: Response, comment_id: int) -> None:
    """Add a held comment to this browser's signed list."""
    ids = [i for i in held_comment_ids() if i != comment_id] + [comment_id]
    value = _serializer("folio.held-comments").dumps(ids[-HELD_KEEP:])
    _set(response, HELD_COOKIE, value, HELD_MAX_AGE)


RECENT_COOKIE = "folio_recent"
# A browser keeps the ids of its last few comments, which bounds the cookie.
RECENT_KEEP = 10


def _edit_seconds() -> int:
    """The edit window (FOLIO_COMMENTS_EDIT_MINUTES) in seconds."""
    return max(0, int(current_app.config["COMMENTS_EDIT_MINUTES"])) * 60


def has_recent_comments() -> bool:
    """True when this browser keeps a list of comments it may still edit."""
    return RECENT_COOKIE in request.cookies


def recent_comment_ids() -> list[int]:
    """Ids of comments this browser posted within the edit window."""
    raw = request.cookies.get(RECENT_COOKIE)
    if not raw:
        return []
    try:
        data = _serializer("folio.recent-comments").loads(raw, max_age=_edit_seconds())
    except BadSignature:
        return []
    if not isinstance(data, list):
        return []
    return [i for i in data if isinstance(i, int)][-RECENT_KEEP:]


def add_recent_comment(response: Response, comment_id: int) -> None:
    """Add a comment this browser just posted to its signed list (while editable)."""
    seconds = _edit_seconds()
    if not seconds:
        return
    ids = [i for i in recent_comment_ids() if i != comment_id] + [comment_id]
    value = _serializer("folio.recent-comments").dumps(ids[-RECENT_KEEP:])
    _set(response, RECENT_COOKIE, value, seconds)
