"""Retrying a contact notification from the inbox.

Stand-in for the outbox's own ``retry_now(mail_id)`` (blueprints/outbox.py, contact
issue): at merge time ``retry_mail`` can simply call it.
"""

from __future__ import annotations

from models import OutboxMail
from models import db
from models import utcnow


def retry_mail(mail_id: int) -> OutboxMail | None:
    """Make an unsent mail due now and free its lease (the caller commits)."""
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.sent_at is not None:
        return None
    mail.next_attempt_at = utcnow()
    mail.locked_until = None
    return mail
