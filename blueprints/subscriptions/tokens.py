"""The signed links mailed to readers: confirm an address's wishes, unsubscribe.

Nothing is stored for them: the signature (the secret key, a salt of their
own) is the authority. No link carries an email address: each names the
address by id and by its created_at stamp (microseconds), and acts only on the
row with both, so a link made for one address never acts on another, nor on a
later address that got the same id (SQLite reuses ids). A confirmation link
also carries the moment its mail was queued: its page confirms at least the
wishes made up to then (links.listed_until). It lasts seven days; an unsubscribe link lasts as long
as the subscription, as mail providers expect (RFC 8058).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired

from models import ReaderAddress
from web.signing import Serializer
from web.signing import serializer

CONFIRM_SALT = "folio-subscriptions-confirm"
UNSUBSCRIBE_SALT = "folio-subscriptions-unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600
# Longer than any token Folio makes: refused before the signature is checked.
MAX_TOKEN = 400

INVALID = "This link is not valid. Copy the whole link from the email, or ask again."
EXPIRED = "This link has expired. Ask again for a new one."


class LinkProblem(Exception):
    """A mailed link that is forged, tampered with, expired or stale."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def stamp(moment: datetime) -> int:
    """A UTC moment as whole microseconds since the epoch (what links carry)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def moment(micros: int) -> datetime:
    """The UTC moment a stamp() names."""
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(
        microsecond=micros % 1_000_000
    )


@dataclass(frozen=True)
class AddressClaim:
    """What a link says: this address (and this one subscription, or all)."""

    address_id: int
    # ReaderAddress.created_at as stamp(): the row, not just its id.
    created: int
    subscription_id: int | None = None
    # A confirmation link: stamp() of when its mail was queued.
    queued: int | None = None

    def names(self, address: ReaderAddress | None) -> bool:
        """True when address is the very row this claim was made for."""
        return (
            address is not None
            and address.id == self.address_id
            and stamp(address.created_at) == self.created
        )


def _serializer(salt: str, key: str | None) -> Serializer:
    return serializer(key or current_app.config["SECRET_KEY"], salt)


def confirm_token(
    address: ReaderAddress, queued: datetime, key: str | None = None
) -> str:
    """The token of a link that confirms the address's wishes made up to queued."""
    payload = {"a": address.id, "c": stamp(address.created_at), "t": stamp(queued)}
    return _serializer(CONFIRM_SALT, key).dumps(payload)


def unsubscribe_token(
    address: ReaderAddress, subscription_id: int | None = None, key: str | None = None
) -> str:
    """The token of an unsubscribe link: one subscription, or (None) everything."""
    payload: dict[str, Any] = {"a": address.id, "c": stamp(address.created_at)}
    if subscription_id is not None:
        payload["s"] = subscription_id
    return _serializer(UNSUBSCRIBE_SALT, key).dumps(payload)


def _whole(value: Any) -> bool:
    return type(value) is int and value >= 0


def _claim(payload: Any) -> AddressClaim:
    """The claim in a signed payload; LinkProblem when it is not one Folio makes."""
    if not isinstance(payload, dict):
        raise LinkProblem(404, INVALID)
    address_id, created = payload.get("a"), payload.get("c")
    sub, queued = payload.get("s"), payload.get("t")
    valid = (
        _whole(address_id)
        and _whole(created)
        and (sub is None or _whole(sub))
        and (queued is None or _whole(queued))
    )
    if not valid:
        raise LinkProblem(404, INVALID)
    return AddressClaim(address_id, created, sub, queued)


def read_confirm_token(token: str) -> AddressClaim:
    """The address a confirmation link names; LinkProblem if forged or expired."""
    if len(token) > MAX_TOKEN:
        raise LinkProblem(404, INVALID)
    try:
        payload = _serializer(CONFIRM_SALT, None).loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as exc:
        raise LinkProblem(410, EXPIRED) from exc
    except BadSignature as exc:
        raise LinkProblem(404, INVALID) from exc
    claim = _claim(payload)
    if claim.subscription_id is not None or claim.queued is None:
        raise LinkProblem(404, INVALID)
    return claim


def read_unsubscribe_token(token: str) -> AddressClaim:
    """What an unsubscribe link names; LinkProblem if it is forged."""
    if len(token) > MAX_TOKEN:
        raise LinkProblem(404, INVALID)
    try:
        payload = _serializer(UNSUBSCRIBE_SALT, None).loads(token)
    except BadSignature as exc:
        raise LinkProblem(404, INVALID) from exc
    claim = _claim(payload)
    if claim.queued is not None:
        raise LinkProblem(404, INVALID)
    return claim
