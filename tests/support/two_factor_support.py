"""Helpers for the two-factor tests: a fixed clock, codes, an enrolled account."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from blueprints.staff import totp
from blueprints.staff.recovery_codes import new_codes
from blueprints.staff.recovery_codes import replace_codes
from models import AuditEvent
from models import OutboxMail
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


def audit_lines(app, action) -> list:
    """The audit events of one kind, oldest first."""
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action.value)
            .order_by(AuditEvent.id)
        ).all()


def mails_to(app, email: str) -> list:
    """The mails queued for email, oldest first."""
    with app.app_context():
        return db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.to_addrs == email)
            .order_by(OutboxMail.id)
        ).all()


def state(app, user_id: int) -> User:
    """The account as stored now (detached)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user
