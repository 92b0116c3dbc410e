"""The mailed "Your comments" link: issued (at most a few a day per address),
checked (signature, age) and used once.

The token is signed and names only a ReaderLink nonce, so no address is ever
in a URL, a server log or the page the link opens; the row holds the address
until the link is used, makes it single-use and counts requests per address
by a keyed hash.
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
    db.session.add(ReaderLink(email_hash=hashed, email=email, nonce=nonce))
    return _serializer().dumps(nonce)


def read(token: str) -> str | LinkProblem:
    """The nonce a token names, or why it is not a good one (no writes)."""
    try:
        data = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired:
        return LinkProblem.EXPIRED
    except BadSignature:
        return LinkProblem.FORGED
    if not isinstance(data, str) or not data:
        return LinkProblem.FORGED
    return data


def use(token: str) -> LinkCheck:
    """Check a token and mark its link used, in the caller's write: single use."""
    found = read(token)
    if isinstance(found, LinkProblem):
        return LinkCheck(problem=found)
    link = db.session.execute(
        select(ReaderLink.id, ReaderLink.email).where(ReaderLink.nonce == found)
    ).first()
    if link is None:
        return LinkCheck(problem=LinkProblem.FORGED)
    # One conditional UPDATE: of two requests racing with the same link, one
    # wins. The address leaves the row with its use.
    result = db.session.execute(
        update(ReaderLink)
        .where(ReaderLink.id == link.id, ReaderLink.used_at.is_(None))
        .values(used_at=utcnow(), email="")
    )
    if result.rowcount != 1 or not link.email:
        return LinkCheck(problem=LinkProblem.USED)
    return LinkCheck(email=link.email)
