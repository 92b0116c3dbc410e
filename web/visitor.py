"""Who is asking, read without loading anything: the one reader of session internals.

Flask-Login keeps the signed-in user's id under ``_user_id`` and Flask keeps
waiting flashed messages under ``_flashes``; the page cache and the HTTP
validators ask these questions here rather than reading the keys themselves.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from flask import request
from flask import session
from flask_login.config import COOKIE_NAME


def signed_out() -> bool:
    """True when Flask-Login has no user to load for this request, without loading.

    It signs a user in from the session's ``_user_id`` or from its remember
    cookie (Folio registers no request or header loader), so a visitor with
    neither is anonymous; a visitor with either takes the full path, where
    Flask-Login decides.
    """
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    return "_user_id" not in session and remember not in request.cookies


def has_flashes() -> bool:
    """True while a flashed message waits to be shown (without taking it)."""
    return "_flashes" in session


def visitor_state() -> str:
    """A hash of what this visitor brings that a page may show: session and cookies."""
    # Keys starting with "_" are Flask-Login's and Flask's bookkeeping, which
    # change between requests without changing what the page shows.
    mine = sorted((k, v) for k, v in session.items() if not k.startswith("_"))
    # Other cookies change the page too (the comment form's remembered name,
    # the visitor's comments awaiting moderation).
    session_cookie = current_app.config["SESSION_COOKIE_NAME"]
    cookies = sorted((k, v) for k, v in request.cookies.items() if k != session_cookie)
    return hashlib.sha256(repr((mine, cookies)).encode()).hexdigest()
