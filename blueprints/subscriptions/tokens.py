"""The signed links mailed to readers: confirm an address, unsubscribe.

Nothing is stored for them: the signature (the secret key, a salt of their
own) is the authority, and each names the address by id and email, so a link
made for one address never acts on another (nor on a later address that got
the same id). A confirmation link lasts seven days; an unsubscribe link lasts
as long as the subscription, as mail providers expect (RFC 8058).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired

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


@dataclass(frozen=True)
class AddressClaim:
    """What a link says: this address (and this one subscription, or all)."""

    address_id: int
    email: str
    subscription_id: int | None = None


def _serializer(salt: str) -> Serializer:
    return serializer(current_app.config["SECRET_KEY"], salt)


def confirm_token(address_id: int, email: str) -> str:
    """The token of a link that confirms an address."""
    return _serializer(CONFIRM_SALT).dumps({"a": address_id, "e": email})


def unsubscribe_token(
    address_id: int, email: str, subscription_id: int | None = None
) -> str:
    """The token of an unsubscribe link: one subscription, or (None) everything."""
    payload: dict[str, Any] = {"a": address_id, "e": email}
    if subscription_id is not None:
        payload["s"] = subscription_id
    return _serializer(UNSUBSCRIBE_SALT).dumps(payload)


def _claim(payload: Any) -> AddressClaim:
    """The claim in a signed payload; LinkProblem when it is not one Folio makes."""
    if not isinstance(payload, dict):
        raise LinkProblem(404, INVALID)
    address_id, email, sub = payload.get("a"), payload.get("e"), payload.get("s")
    valid = (
        type(address_id) is int
        and isinstance(email, str)
        and (sub is None or type(sub) is int)
    )
    if not valid:
        raise LinkProblem(404, INVALID)
    return AddressClaim(address_id, email, sub)


def read_confirm_token(token: str) -> AddressClaim:
    """The address a confirmation link names; LinkProblem if forged or expired."""
    if len(token) > MAX_TOKEN:
        raise LinkProblem(404, INVALID)
    try:
        payload = _serializer(CONFIRM_SALT).loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as exc:
        raise LinkProblem(410, EXPIRED) from exc
    except BadSignature as exc:
        raise LinkProblem(404, INVALID) from exc
    claim = _claim(payload)
    if claim.subscription_id is not None:
        raise LinkProblem(404, INVALID)
    return claim


def read_unsubscribe_token(token: str) -> AddressClaim:
    """What an unsubscribe link names; LinkProblem if it is forged."""
    if len(token) > MAX_TOKEN:
        raise LinkProblem(404, INVALID)
    try:
        payload = _serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature as exc:
        raise LinkProblem(404, INVALID) from exc
    return _claim(payload)
