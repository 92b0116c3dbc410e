"""Claims on outbox rows: one row at a time, leased, the lease its token.

A sender claims one due row (claim_next), checks just before the SMTP
conversation that the row is still its own and unsent (still_ours), and
records the outcome (record_retrying) only while the row still carries its
lease. The lease value is the claim's token: a row is claimed again only once
its lease has passed, so every new lease is later than every older one, and a
sender whose claim was taken over can record nothing.

A claim also moves the row's next attempt past its lease by the wait a failed
attempt would earn: a sender that dies mid-send, or cannot record a send, leaves
the mail to be retried like a failed one, not the moment its lease runs out.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from models import ContactMessage
from models import OutboxMail
from models import db
from models import utcnow
from storage.transactions import write_transaction

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# Seconds between tries at recording an outcome while the database is locked
# (each try also waits out SQLITE_BUSY_TIMEOUT_MS on SQLite).
RECORD_PAUSES = (0.1, 0.5, 2.0, 5.0)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts: 1 min doubling to 6 h."""
    if attempts < 1:
        return timedelta(0)
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_RETRY)


def lease_length(config: Mapping[str, Any]) -> timedelta:
    """How long a claim keeps one row reserved: well past one slow SMTP conversation."""
    return timedelta(seconds=max(60, int(config["SMTP_TIMEOUT"]) * 6))


def due(now: datetime):
    """The SQL condition for rows to send now: unsent, due, and not leased."""
    return (
        OutboxMail.sent_at.is_(None)
        & (OutboxMail.next_attempt_at <= now)
        & or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now)
    )


@dataclass(frozen=True)
class Claim:
    """One row leased to this sender: a detached copy of it, and the lease (the token)."""

    mail: OutboxMail
    lease: datetime


def claim_next(config: Mapping[str, Any]) -> Claim | None:
    """Lease the next due row to this sender and commit; None when none is free.

    The UPDATE re-checks the due condition, so of two senders racing for a row
    exactly one gets it; PostgreSQL's SKIP LOCKED sends the other to the next row.
    """
    now = utcnow()
    lease = now + lease_length(config)
    candidate = (
        select(OutboxMail)
        .where(due(now))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    with write_transaction():
        mail = db.session.scalars(candidate).first()
        if mail is None:
            return None
        result = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail.id, due(now))
            .values(
                locked_until=lease,
                next_attempt_at=lease + backoff(mail.attempts + 1),
            )
            .execution_options(synchronize_session=False)
        )
        # Kept for building the message; its lease columns are the old ones.
        db.session.expunge(mail)
    return Claim(mail, lease) if result.rowcount == 1 else None


def still_ours(claim: Claim, config: Mapping[str, Any]) -> bool:
    """True when the row is unsent and still carries the lease, with time for a send."""
    row = db.session.execute(
        select(OutboxMail.locked_until, OutboxMail.sent_at).where(
            OutboxMail.id == claim.mail.id
        )
    ).first()
    # No read transaction stays open during the SMTP conversation.
    db.session.rollback()
    if row is None or row.sent_at is not None or row.locked_until != claim.lease:
        return False
    # Less than half the lease left means this sender stalled: the send might
    # outlast the lease, so the mail waits for its next attempt instead.
    return claim.lease - utcnow() >= lease_length(config) / 2


def record(claim: Claim, error: str | None) -> bool:
    """Store one attempt's outcome on the row and its contact message, lease permitting.

    False when the row no longer carries this claim's lease (another sender has it).
    """
    mail = claim.mail
    now = utcnow()
    attempts = mail.attempts + 1
    values: dict = {"attempts": attempts, "locked_until": None}
    if error is None:
        values.update(sent_at=now, last_error="")
    else:
        values.update(last_error=error, next_attempt_at=now + backoff(attempts))
    with write_transaction():
        result = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail.id, OutboxMail.locked_until == claim.lease)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1 and mail.contact_message_id is not None:
            mirror: dict = {"notify_attempts": attempts, "notify_error": error or ""}
            if error is None:
                mirror["notified_at"] = now
            db.session.execute(
                update(ContactMessage)
                .where(ContactMessage.id == mail.contact_message_id)
                .values(**mirror)
                .execution_options(synchronize_session=False)
            )
    return result.rowcount == 1


def record_retrying(claim: Claim, error: str | None) -> bool | None:
    """record(), tried again while the database is locked; None (logged) if it never took.

    The claim keeps other senders off the row meanwhile (its next attempt is
    past the lease), so the outcome can still be recorded late.
    """
    pauses = list(RECORD_PAUSES)
    while True:
        try:
            return record(claim, error)
        except OperationalError as exc:
            if not pauses:
                _log_unrecorded(claim, error, exc)
                return None
            pause = pauses.pop(0)
            current_app.logger.warning(
                "outbox: recording mail %s failed (%s); trying again in %s s",
                claim.mail.id,
                exc.orig or exc,
                pause,
            )
            time.sleep(pause)


def _log_unrecorded(claim: Claim, error: str | None, exc: OperationalError) -> None:
    """Say what became of a mail whose outcome the database would not take."""
    retry = (claim.lease + backoff(claim.mail.attempts + 1)).isoformat()
    if error is None:
        current_app.logger.error(
            "outbox: mail %s was sent but the database did not record it (%s); "
            "it may go out again after %s, with the same Message-ID",
            claim.mail.id,
            exc.orig or exc,
            retry,
        )
    else:
        current_app.logger.error(
            "outbox: mail %s was not sent (%s) and the database did not record it "
            "(%s); it is tried again after %s",
            claim.mail.id,
            error,
            exc.orig or exc,
            retry,
        )
