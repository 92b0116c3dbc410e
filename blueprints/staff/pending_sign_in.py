"""A sign-in waiting for its second factor: a marker in the signed session cookie.

After a right password for an account with two-factor sign-in, the cookie
holds no session, only this marker: the account, its session generation, when
the marker expires and where to go next. It opens no staff page (Flask-Login
finds no user); the code step reads it and, when the code is right, starts the
session. A password or two-factor change meanwhile (a new generation) voids it.
"""

from __future__ import annotations

import time

from flask import session

from models import User
from models import db
from web.signing import rotate_csrf_token

PENDING_KEY = "_two_factor_pending"
# How long the code step waits after the password step.
PENDING_SECONDS = 300


def start_pending(user: User, next_url: str) -> None:
    """Mark this browser as half signed in as user, on a cleared cookie."""
    session.clear()
    rotate_csrf_token()
    session[PENDING_KEY] = {
        "user": user.id,
        "generation": user.session_generation,
        "expires": int(time.time()) + PENDING_SECONDS,
        "next": next_url,
    }


def pending() -> dict | None:
    """The marker while it has not expired, else None."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict) or marker.get("expires", 0) < time.time():
        return None
    return marker


def pending_user() -> User | None:
    """The account half signed in here, while the marker and the account allow it."""
    marker = pending()
    if marker is None:
        return None
    user = db.session.get(User, marker["user"])
    if (
        user is None
        or not user.is_active
        or not user.two_factor_on
        or user.session_generation != marker["generation"]
    ):
        return None
    return user


def clear_pending() -> None:
    """Forget the marker (the session it led to is on the cookie, or it failed)."""
    session.pop(PENDING_KEY, None)
