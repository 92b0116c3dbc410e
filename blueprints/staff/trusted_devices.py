"""Remembered browsers: "Don't ask again on this browser" at the two-factor step.

Off unless FOLIO_TWO_FACTOR_REMEMBER_DAYS is above 0. The browser gets an
HttpOnly cookie (Secure over HTTPS, path /staff) holding a random token; the
``trusted_devices`` row keeps its SHA-256, the account, the expiry and the
account's session generation at the time. A password or two-factor change (a
new generation) ends every remembered browser of the account, as does an
admin's reset; the sessions page lists them with "Forget".
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Response
from flask import current_app
from flask import request
from sqlalchemy import delete
from sqlalchemy import select

from models import TrustedDevice
from models import User
from models import db
from models import utcnow

COOKIE = "folio_trusted_device"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember_days() -> int:
    """How long a browser is remembered; 0: the option is off."""
    return max(0, current_app.config["TWO_FACTOR_REMEMBER_DAYS"])


def is_trusted(user: User) -> bool:
    """True when this browser's cookie names a live remembered device of user."""
    token = request.cookies.get(COOKIE)
    if not remember_days() or not token:
        return False
    found = db.session.scalar(
        select(TrustedDevice.id).where(
            TrustedDevice.token_hash == _digest(token),
            TrustedDevice.user_id == user.id,
            TrustedDevice.generation == user.session_generation,
            TrustedDevice.expires_at > utcnow(),
        )
    )
    return found is not None


def remember(user: User) -> str:
    """Remember this browser for user, in the caller's write; the cookie's token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        TrustedDevice(
            user_id=user.id,
            token_hash=_digest(token),
            generation=user.session_generation,
            created_at=now,
            expires_at=now + timedelta(days=remember_days()),
            user_agent=request.user_agent.string[:255],
        )
    )
    return token


def set_cookie(response: Response, token: str) -> Response:
    """Give the browser its remembered-device cookie."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(timedelta(days=remember_days()).total_seconds()),
        path="/staff",
        secure=request.is_secure
        or bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def devices_of(user: User) -> list[TrustedDevice]:
    """The account's remembered browsers that still skip the code, newest first."""
    if not remember_days():
        return []
    return list(
        db.session.scalars(
            select(TrustedDevice)
            .where(
                TrustedDevice.user_id == user.id,
                TrustedDevice.generation == user.session_generation,
                TrustedDevice.expires_at > utcnow(),
            )
            .order_by(TrustedDevice.created_at.desc(), TrustedDevice.id.desc())
        )
    )


def forget(user_id: int, device_id: int | None = None) -> int:
    """Forget one remembered browser of the account (or all), in the caller's write."""
    query = delete(TrustedDevice).where(TrustedDevice.user_id == user_id)
    if device_id is not None:
        query = query.where(TrustedDevice.id == device_id)
    result = db.session.execute(query.execution_options(synchronize_session=False))
    return result.rowcount
