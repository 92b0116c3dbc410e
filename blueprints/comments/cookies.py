"""The commenter's cookies: opt-in remembered details and the signed list of held comments.

Both are signed with the secret key, so a visitor can neither forge a list of
other people's held comment ids nor plant details in someone else's form.
"""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import lru_cache
from typing import Protocol

from flask import Response
from flask import current_app
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from blueprints.comments.edit_window import edit_window

REMEMBER_COOKIE = "folio_commenter"
HELD_COOKIE = "folio_held"
REMEMBER_MAX_AGE = 365 * 24 * 3600
HELD_MAX_AGE = 30 * 24 * 3600
HELD_SALT = "folio.held-comments"
# A browser keeps the ids of its last few held comments, which bounds the cookie.
HELD_KEEP = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


class Kept(Protocol):
    """What the signed lists keep of a comment (a Comment or a StoredComment)."""

    @property
    def id(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...


def comment_stamp(created_at: datetime) -> int:
    """A comment's creation time in whole microseconds since the epoch.

    Kept beside its id in the signed lists: SQLite hands out a deleted newest
    row's id again, and the stamp tells that later comment apart.
    """
    return (created_at - EPOCH) // timedelta(microseconds=1)


def _kept(name: str, salt: str, max_age: int, keep: int) -> dict[int, int]:
    """The (id, stamp) pairs of a signed list cookie, as id -> stamp.

    Anything else in the list (the ids alone of an older cookie) is ignored.
    """
    raw = request.cookies.get(name)
    if not raw:
        return {}
    try:
        data = _serializer(salt).loads(raw, max_age=max_age)
    except BadSignature:
        return {}
    if not isinstance(data, list):
        return {}
    pairs = [
        (item[0], item[1])
        for item in data
        if isinstance(item, list)
        and len(item) == 2
        and all(type(part) is int for part in item)
    ]
    return dict(pairs[-keep:])


def _keep(
    response: Response,
    name: str,
    salt: str,
    max_age: int,
    keep: int,
    comment: Kept,
) -> None:
    """Add comment to a signed list cookie, the oldest falling off past keep."""
    kept = _kept(name, salt, max_age, keep)
    pairs = [[i, stamp] for i, stamp in kept.items() if i != comment.id]
    pairs.append([comment.id, comment_stamp(comment.created_at)])
    value = _serializer(salt).dumps(pairs[-keep:])
    _set(response, name, value, max_age)


def proves(kept: dict[int, int], comment: Kept) -> bool:
    """True when a signed list names this very comment (its id and its stamp)."""
    return kept.get(comment.id) == comment_stamp(comment.created_at)


def held_comments_kept() -> dict[int, int]:
    """This browser's comments awaiting moderation: id -> stamp (see proves())."""
    return _kept(HELD_COOKIE, HELD_SALT, HELD_MAX_AGE, HELD_KEEP)


def add_held_comment(response: Response, comment: Kept) -> None:
    """Add a held comment to this browser's signed list."""
    _keep(response, HELD_COOKIE, HELD_SALT, HELD_MAX_AGE, HELD_KEEP, comment)


RECENT_COOKIE = "folio_recent"
RECENT_SALT = "folio.recent-comments"
# A browser keeps the ids of its last few comments, which bounds the cookie.
RECENT_KEEP = 10


def _edit_seconds() -> int:
    return int(edit_window().total_seconds())


def has_recent_comments() -> bool:
    """True when this browser keeps a list of comments it may still edit."""
    return RECENT_COOKIE in request.cookies


def recent_comments_kept() -> dict[int, int]:
    """Comments this browser posted within the edit window: id -> stamp."""
    seconds = _edit_seconds()
    if not seconds:
        return {}
    return _kept(RECENT_COOKIE, RECENT_SALT, seconds, RECENT_KEEP)


def add_recent_comment(response: Response, comment: Kept) -> None:
    """Add a comment this browser just posted to its signed list (while editable)."""
    seconds = _edit_seconds()
    if not seconds:
        return
    _keep(response, RECENT_COOKIE, RECENT_SALT, seconds, RECENT_KEEP, comment)


def forget_recent_comments(response: Response) -> None:
    """Drop the list of comments this browser may still edit (signing out)."""
    if RECENT_COOKIE in request.cookies:
        response.delete_cookie(RECENT_COOKIE, path="/")
