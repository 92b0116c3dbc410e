"""The mailed "Your comments" link: issued (at most a few a day per address),
checked (signature, age) and used once.

The token is signed and names a ReaderLink nonce; the row makes it single-use
and counts requests per address by a keyed hash, never the address itself.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from models import ReaderLink
from models import db
from models import utcnow
from web.signing import Serializer

SALT = "folio.reader-link"
# At most this many links per address per day: no mail bomb to a victim's address.
LINKS_PER_DAY = 3


class LinkProblem(enum.Enum):
    """Why a link was refused."""

    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class LinkCheck:
    """The address a link proves, or why it proves nothing."""

    email: str = ""
    problem: LinkProblem | None = None


def email_hash(email: str) -> str:
    """A keyed hash of an address: countable, not reversible without the key."""
    key = current_app.config["SECRET_KEY"].encode()
    message = b"reader-link:" + email.strip().lower().encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:64]


def _serializer() -> Serializer:
    return Serializer(current_app.config["SECRET_KEY"], salt=SALT)


def _max_age() -> int:
    return max(1, int(current_app.config["READER_LINK_MINUTES"])) * 60


def links_today(hashed: str) -> int:
    """How many links this address hash was sent in the last 24 hours."""
    return db.session.scalar(
        select(func.count(ReaderLink.id)).where(
            ReaderLink.email_hash == hashed,
            ReaderLink.created_at > utcnow() - timedelta(days=1),
        )
    )


def issue(email: str) -> str | None:
    """A new signed token for email (the caller commits); None past the daily limit."""
    email = email.strip().lower()
    hashed = email_hash(email)
    if links_today(hashed) >= LINKS_PER_DAY:
        return None
    nonce = secrets.token_urlsafe(24)
    db.session.add(ReaderLink(email_hash=hashed, nonce=nonce))
    return _serializer().dumps({"n": nonce, "e": email})


def read(token: str) -> tuple[str, str] | LinkProblem:
    """The (nonce, email) a token names, or why it is not a good one (no writes)."""
    try:
        data = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired:
        return LinkProblem.EXPIRED
    except BadSignature:
        return LinkProblem.FORGED
    if not isinstance(data, dict):
        return LinkProblem.FORGED
    nonce, email = data.get("n"), data.get("e")
    if not (isinstance(nonce, str) and isinstance(email, str) and nonce and email):
        return LinkProblem.FORGED
    return nonce, email


def use(token: str) -> LinkCheck:
    """Check a token and mark its link used, in the caller's write: single use."""
    found = read(token)
    if isinstance(found, LinkProblem):
        return LinkCheck(problem=found)
    nonce, email = found
    # One conditional UPDATE: of two requests racing with the same link, one wins.
    result = db.session.execute(
        update(ReaderLink)
        .where(
            ReaderLink.nonce == nonce,
            ReaderLink.email_hash == email_hash(email),
            ReaderLink.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:
        exists = db.session.scalar(
            select(ReaderLink.id).where(ReaderLink.nonce == nonce)
        )
        return LinkCheck(problem=LinkProblem.USED if exists else LinkProblem.FORGED)
    return LinkCheck(email=email)
