"""Helpers for the two-factor tests: a fixed clock, codes, an enrolled account."""

from __future__ import annotations

import pyotp

from blueprints.staff import totp
from blueprints.staff.recovery_codes import new_codes
from blueprints.staff.recovery_codes import replace_codes
from models import User
from models import db
from models import utcnow

# A fixed moment, on a step boundary's middle: 30-second steps.
NOW = 1_800_000_015.0
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def freeze(monkeypatch, when: float = NOW) -> None:
    """Make the two-factor module's clock read when."""
    monkeypatch.setattr(totp, "clock", lambda: when)


def code_at(when: float = NOW, secret: str = SECRET) -> str:
    """The code an authenticator app shows at when."""
    return pyotp.TOTP(secret).at(when)


def enrol(app, user_id: int, secret: str = SECRET) -> list[str]:
    """Turn two-factor sign-in on for the account directly; its recovery codes."""
    codes = new_codes()
    with app.test_request_context():
        user = db.session.get(User, user_id)
        user.totp_secret = totp.seal(secret)
        user.totp_enabled_at = utcnow()
        replace_codes(user_id, codes)
        db.session.commit()
    return codes
