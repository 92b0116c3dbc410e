"""Password-reset links: made, stored as a hash, mailed, found and used once.

The link carries a random token (32 bytes); ``password_resets`` keeps only its
SHA-256, the account, when it expires (FOLIO_PASSWORD_RESET_MINUTES) and when
it was used. A newer request marks the account's older unused links used, so
only the latest mail works.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select
from sqlalchemy import update

from blueprints.staff.tokens import digest
from blueprints.staff.tokens import new_token
from models import PasswordReset
from models import User
from models import db
from models import utcnow
from web.urls import absolute_url

# A token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 64


class ResetMail(NamedTuple):
    """A fresh token and the mail that carries its link."""

    token: str
    digest: str
    subject: str
    body: str


def lifetime() -> timedelta:
    """How long a link works."""
    return timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def new_reset_mail(email: str) -> ResetMail:
    """Make a token and the mail for email, whether or not an account uses it."""
    token = new_token()
    site = current_app.config["SITE_TITLE"]
    link = absolute_url("staff.password_reset", token=token)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    when = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    subject = f"[{site}] Reset your password"
    body = (
        f"Someone asked at {when} to reset the password of the {site} staff"
        f" account {email}.\n\n"
        f"To choose a new password, open this link within {minutes} minutes"
        f" (it works once):\n\n{link}\n\n"
        "If you did not ask for this, ignore this mail: your password stays"
        " as it is.\n"
    )
    return ResetMail(token, digest(token), subject, body)


def store_reset(user_id: int, token_digest: str) -> None:
    """Record a new link for the account, in the caller's write; older ones stop working."""
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        PasswordReset(
            user_id=user_id,
            token_hash=token_digest,
            created_at=now,
            expires_at=now + lifetime(),
        )
    )


def usable_account(token: str) -> User | None:
    """The active account a link still resets, or None (unknown, used or expired)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(
        select(User)
        .join(PasswordReset, PasswordReset.user_id == User.id)
        .where(
            PasswordReset.token_hash == digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    )


def use_reset(token: str) -> User | None:
    """Mark the link used, in the caller's write; its account, or None if it no longer works.

    The UPDATE repeats the checks, so of two submissions of one link only one wins.
    """
    user = usable_account(token)
    if user is None:
        return None
    marked = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.token_hash == digest(token),
            PasswordReset.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return user if marked.rowcount == 1 else None
