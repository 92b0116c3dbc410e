"""What two-factor enrolment keeps in the session cookie between requests, sealed.

The cookie is signed, not encrypted, and travels with every request to the
site: the secret being enrolled and the recovery codes just made go into it
encrypted (totp.seal), and the codes only for as long as they are on show.
"""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken
from flask import session

from blueprints.staff.totp import seal
from blueprints.staff.totp import unseal

# The secret being enrolled, until a code confirms it.
ENROL_KEY = "_two_factor_enrol"
# The recovery codes just made, until "I have saved them", sign-out or CODES_SHOWN.
CODES_KEY = "_two_factor_codes"
CODES_SHOWN = 30 * 60


def _opened(key: str, ttl: int | None = None) -> str | None:
    """The sealed value under key, or None when absent, altered or too old."""
    stored = session.get(key)
    if not isinstance(stored, str):
        return None
    try:
        return unseal(stored, ttl=ttl)
    except InvalidToken:
        session.pop(key, None)
        return None


def enrol_secret() -> str | None:
    """The secret this browser is enrolling, if any."""
    return _opened(ENROL_KEY)


def keep_enrol_secret(secret: str) -> None:
    session[ENROL_KEY] = seal(secret)


def drop_enrol_secret() -> None:
    session.pop(ENROL_KEY, None)


def fresh_codes() -> list[str] | None:
    """The recovery codes this browser was just given, while they are on show."""
    opened = _opened(CODES_KEY, ttl=CODES_SHOWN)
    return json.loads(opened) if opened is not None else None


def keep_fresh_codes(codes: list[str]) -> None:
    session[CODES_KEY] = seal(json.dumps(codes))


def drop_fresh_codes() -> None:
    session.pop(CODES_KEY, None)
