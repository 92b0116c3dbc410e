"""The reader session: a short-lived signed cookie naming the address a link proved."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import request
from itsdangerous import BadSignature

from web.signing import Serializer

COOKIE = "folio_reader"
SALT = "folio.reader-session"
MAX_AGE = 3600


def _serializer() -> Serializer:
    return Serializer(current_app.config["SECRET_KEY"], salt=SALT)


def reader_email() -> str | None:
    """The address this browser proved by a link within the hour, or None."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    email = data.get("e") if isinstance(data, dict) else None
    return email.lower() if isinstance(email, str) and email else None


def start(response: Response, email: str) -> None:
    """Start a reader session for email (lower-cased) on this response."""
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"e": email.strip().lower()}),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        path="/",
    )


def end(response: Response) -> None:
    """End the reader session."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax")
