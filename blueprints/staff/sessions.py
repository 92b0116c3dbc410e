"""Staff sessions held on the server: started at sign-in, checked on each request, ended at will.

The signed session cookie names the signed-in user (Flask-Login's own key), a
random token naming this session's row in ``staff_sessions`` (the row keeps
only the token's SHA-256) and the account's ``session_generation`` at sign-in.
The user loader accepts the cookie while the row exists and has not ended, the
account is active and still has that generation, the session was used within
FOLIO_STAFF_SESSION_IDLE_MINUTES and began less than FOLIO_STAFF_SESSION_MAX_DAYS
ago: one SELECT a request. ``last_seen_at`` is written at most once a minute.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from flask import request
from flask import session
from flask_login import login_user
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from extensions import login_manager
from models import StaffSession
from models import User
from models import db
from models import utcnow
from storage.transactions import write_transaction
from web.signing import rotate_csrf_token

TOKEN_KEY = "_staff_session"
GENERATION_KEY = "_staff_generation"
# How stale last_seen_at may get before a request writes it again: the idle
# timeout is hours, so a minute's error costs nothing and saves a write a request.
TOUCH_EVERY = timedelta(minutes=1)


class Ticket(NamedTuple):
    """What the cookie of a session just started must carry."""

    token: str
    generation: int


def _digest(token: str) -> str:
    """The form a token is stored in: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def idle_timeout() -> timedelta:
    """How long a session may go unused."""
    return timedelta(minutes=current_app.config["STAFF_SESSION_IDLE_MINUTES"])


def max_lifetime() -> timedelta:
    """How long a session may last from sign-in, however active."""
    return timedelta(days=current_app.config["STAFF_SESSION_MAX_DAYS"])


def is_alive(row: StaffSession, now: datetime) -> bool:
    """True while the session has neither ended nor idled nor outlived its lifetime."""
    return (
        row.ended_at is None
        and now - row.last_seen_at < idle_timeout()
        and now - row.created_at < max_lifetime()
    )


def start_session(user: User) -> Ticket:
    """Add a session row for user, in the caller's write; the cookie gets the ticket."""
    now = utcnow()
    _forget_finished(user.id, now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            user_agent=request.user_agent.string[:255],
            ip=(request.remote_addr or "")[:45],
        )
    )
    return Ticket(token, user.session_generation)


def _forget_finished(user_id: int, now: datetime) -> None:
    """Delete the account's sessions that can never be used again (the table stays small)."""
    db.session.execute(
        delete(StaffSession)
        .where(
            StaffSession.user_id == user_id,
            StaffSession.ended_at.is_not(None)
            | (StaffSession.last_seen_at <= now - idle_timeout())
            | (StaffSession.created_at <= now - max_lifetime()),
        )
        .execution_options(synchronize_session=False)
    )


def sign_in(user: User, ticket: Ticket) -> None:
    """Put the new session on a cleared cookie: nothing from before sign-in survives."""
    session.clear()
    rotate_csrf_token()  # the next form gets a new CSRF token
    login_user(user)
    # The cookie expires with the session's lifetime (PERMANENT_SESSION_LIFETIME).
    session.permanent = True
    session[TOKEN_KEY] = ticket.token
    session[GENERATION_KEY] = ticket.generation


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in staff member while this cookie's session lives; else None."""
    token = session.get(TOKEN_KEY)
    if not (user_id.isdigit() and isinstance(token, str)):
        return _refuse()
    found = db.session.execute(
        select(User, StaffSession)
        .join(StaffSession, StaffSession.user_id == User.id)
        .where(StaffSession.token_hash == _digest(token), User.id == int(user_id))
    ).first()
    now = utcnow()
    if found is None:
        return _refuse()
    user, row = found
    generation = session.get(GENERATION_KEY)
    if not user.is_active or generation != user.session_generation:
        return _refuse()
    if not is_alive(row, now):
        return _refuse()
    if now - row.last_seen_at >= TOUCH_EVERY:
        _touch(row.id, now)
    return user


def _refuse() -> None:
    """Clear a cookie whose session is over, as signing out would."""
    session.clear()
    return None


def _touch(session_id: int, now: datetime) -> None:
    """Record that the session is in use; a busy database only postpones it."""
    try:
        with write_transaction():
            db.session.execute(
                update(StaffSession)
                .where(StaffSession.id == session_id)
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
    except OperationalError:
        # The next request tries again; the idle timeout is hours away.
        current_app.logger.warning(
            "staff session %s: last_seen_at not written", session_id
        )


def _current_digest() -> str | None:
    """The stored form of this cookie's token, if it carries one."""
    token = session.get(TOKEN_KEY)
    return _digest(token) if isinstance(token, str) else None


def end_this_session() -> None:
    """End the session this cookie names, in the caller's write."""
    digest = _current_digest()
    if digest is not None:
        db.session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == digest, StaffSession.ended_at.is_(None))
            .values(ended_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def end_all_sessions(user_id: int, *, except_current: bool = False) -> None:
    """End every session of the account, in the caller's write.

    The one call for whatever must sign an account out everywhere: a password
    change, deactivation, "Sign out everywhere (else)", and the two-factor
    changes. With except_current, this request's session goes on
    under a new token and generation, so a copy of its cookie taken before
    ends with the others.
    """
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    kept = _reissue(user_id) if except_current else None
    ending = update(StaffSession).where(
        StaffSession.user_id == user_id, StaffSession.ended_at.is_(None)
    )
    if kept is not None:
        ending = ending.where(StaffSession.token_hash != kept)
    db.session.execute(
        ending.values(ended_at=utcnow()).execution_options(synchronize_session=False)
    )


def _reissue(user_id: int) -> str | None:
    """Give this request's session a new token and the new generation; its new digest."""
    digest = _current_digest()
    if digest is None:
        return None
    token = secrets.token_urlsafe(32)
    renamed = db.session.execute(
        update(StaffSession)
        .where(
            StaffSession.token_hash == digest,
            StaffSession.user_id == user_id,
            StaffSession.ended_at.is_(None),
        )
        .values(token_hash=_digest(token))
        .execution_options(synchronize_session=False)
    )
    if renamed.rowcount != 1:
        return None
    session[TOKEN_KEY] = token
    session[GENERATION_KEY] = db.session.scalar(
        select(User.session_generation).where(User.id == user_id)
    )
    return _digest(token)


def live_sessions(user_id: int) -> list[StaffSession]:
    """The account's sessions that may still be used, most recently active first."""
    now = utcnow()
    rows = db.session.scalars(
        select(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    )
    return [row for row in rows if is_alive(row, now)]


def is_current(row: StaffSession) -> bool:
    """True for the session this request runs in."""
    return row.token_hash == _current_digest()
