"""The outbox: mail stored in the database until it is sent.

enqueue() adds a row in the caller's transaction: the receivers of Folio's
domain events (signals.py) queue their mail in a short write of their own
right after the change commits. Sending happens later: send_due() leases
the rows that are due (so two workers never send the same row, and a worker that
dies mid-send only delays a mail until its lease runs out), sends them over SMTP
and records the outcome, retrying failures with exponential backoff. It runs from
`flask outbox send` (cron, a systemd timer) and from a background thread in each
app process (mail/worker.py).
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage

from flask import Flask
from flask import Response
from flask import after_this_request
from flask import current_app
from flask import has_request_context
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from mail.smtp import build_message
from mail.smtp import recipients
from mail.smtp import smtp_connection
from mail.worker import OutboxWorker
from models import ContactMessage
from models import OutboxMail
from models import db
from models import utcnow
from storage.transactions import write_transaction

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
BATCH = 50


def enqueue(
    to: list[str],
    subject: str,
    body: str,
    reply_to: str = "",
    **links: int | None,
) -> OutboxMail | None:
    """Add a mail to the outbox (the caller commits); None when there is nobody to tell.

    links: contact_message_id= or comment_id= to tie the mail to its source.
    """
    addresses = [address for address in to if address]
    if not addresses:
        return None
    mail = OutboxMail(
        to_addrs=", ".join(addresses),
        subject=subject,
        body=body,
        reply_to=reply_to,
        **links,
    )
    db.session.add(mail)
    _kick_after_request()
    return mail


def backoff(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts: 1 min doubling to 6 h."""
    if attempts < 1:
        return timedelta(0)
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_RETRY)


def lease_length(config) -> timedelta:
    """How long a claimed row stays reserved: well past a slow SMTP conversation."""
    return timedelta(seconds=max(60, int(config["SMTP_TIMEOUT"]) * 6))


def _due(now: datetime):
    """The SQL condition for rows to send now: unsent, due, and not leased."""
    return (
        OutboxMail.sent_at.is_(None)
        & (OutboxMail.next_attempt_at <= now)
        & or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now)
    )


def claim_due(limit: int = BATCH) -> tuple[list[int], datetime]:
    """Lease up to limit due rows to this caller and commit; return their ids and the lease.

    The lease value doubles as the claim's token: the outcome is recorded only
    while the row still carries it. The UPDATE re-checks the due condition, so
    of two workers racing for a row exactly one gets it (PostgreSQL re-evaluates
    the WHERE after the row lock; SQLite has one writer at a time).
    """
    now = utcnow()
    lease = (
        now
        + lease_length(current_app.config)
        + timedelta(microseconds=secrets.randbelow(1_000_000))
    )
    candidates = (
        select(OutboxMail.id)
        .where(_due(now))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
    )
    with write_transaction():
        ids = list(db.session.scalars(candidates))
        if not ids:
            return [], lease
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(ids), _due(now))
            .values(locked_until=lease)
            .execution_options(synchronize_session=False)
        )
        claimed = list(
            db.session.scalars(
                select(OutboxMail.id)
                .where(OutboxMail.id.in_(ids), OutboxMail.locked_until == lease)
                .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            )
        )
    return claimed, lease


@dataclass
class SendReport:
    """What one send_due() round did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0


def _describe(exc: BaseException) -> str:
    """An exception as a one-line error for last_error (at most 500 characters)."""
    text = str(exc).strip() or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:500]


def _record(
    mail_id: int,
    message_id: int | None,
    attempts: int,
    lease: datetime,
    error: str | None,
) -> bool:
    """Store one attempt's outcome on the outbox row and its contact message."""
    now = utcnow()
    attempts += 1
    values: dict = {"attempts": attempts, "locked_until": None}
    if error is None:
        values.update(sent_at=now, last_error="")
    else:
        values.update(last_error=error, next_attempt_at=now + backoff(attempts))
    with write_transaction():
        result = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.locked_until == lease)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1 and message_id is not None:
            mirror: dict = {"notify_attempts": attempts, "notify_error": error or ""}
            if error is None:
                mirror["notified_at"] = now
            db.session.execute(
                update(ContactMessage)
                .where(ContactMessage.id == message_id)
                .values(**mirror)
                .execution_options(synchronize_session=False)
            )
    return result.rowcount == 1


@dataclass
class _Attempt:
    """One claimed mail, built and ready to send (or the reason it cannot be)."""

    mail_id: int
    message_id: int | None
    attempts: int
    message: EmailMessage | None
    to_addrs: list[str]
    problem: str | None = None


def _prepare(mail: OutboxMail, config) -> _Attempt:
    """Build the EmailMessage for a claimed row, noting a header the library refuses."""
    attempt = _Attempt(mail.id, mail.contact_message_id, mail.attempts, None, [])
    try:
        attempt.message = build_message(mail, config)
        attempt.to_addrs = recipients(mail)
    except (ValueError, TypeError) as exc:  # a header the mail library refuses
        attempt.problem = _describe(exc)
    return attempt


def send_due(app: Flask, limit: int = BATCH) -> SendReport:
    """Send up to limit due mails; record each outcome as soon as it is known.

    Without FOLIO_SMTP_HOST nothing is claimed: mail waits (the staff inbox shows it).
    """
    report = SendReport()
    with app.app_context():
        config = app.config
        if not config["SMTP_HOST"]:
            return report
        ids, lease = claim_due(limit)
        report.claimed = len(ids)
        if not ids:
            return report
        mails = db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.id.in_(ids))
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        ).all()
        pending = [_prepare(mail, config) for mail in mails]
        # No read transaction stays open during network I/O.
        db.session.rollback()

        def outcome(attempt: _Attempt, error: str | None) -> None:
            recorded = _record(
                attempt.mail_id, attempt.message_id, attempt.attempts, lease, error
            )
            if not recorded:
                return
            if error is None:
                report.sent += 1
            else:
                report.failed += 1
                app.logger.warning(
                    "outbox: mail %s not sent: %s", attempt.mail_id, error
                )

        try:
            with smtp_connection(config) as smtp:
                while pending:
                    attempt = pending.pop(0)
                    if attempt.problem is not None:
                        outcome(attempt, attempt.problem)
                        continue
                    try:
                        smtp.send_message(attempt.message, to_addrs=attempt.to_addrs)
                    except smtplib.SMTPServerDisconnected:
                        pending.insert(0, attempt)
                        raise
                    except smtplib.SMTPException as exc:  # refused: this mail only
                        outcome(attempt, _describe(exc))
                        continue
                    except OSError:  # SMTPException is an OSError too: it comes first
                        pending.insert(0, attempt)
                        raise
                    outcome(attempt, None)
        except (smtplib.SMTPException, OSError) as exc:
            # Could not connect or log in, or the connection broke: the rest wait.
            error = _describe(exc)
            for attempt in pending:
                outcome(attempt, attempt.problem or error)
    return report


def retry_now(mail_id: int) -> bool:
    """Make an unsent mail due at once and wake the sender; commits. False if sent or gone.

    For the staff inbox's "Retry now" button. The background sender (when
    enabled) picks it up right after the response; otherwise the next
    `flask outbox send` does.
    """
    with write_transaction():
        result = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None))
            .values(next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    if result.rowcount != 1:
        return False
    _kick_after_request()
    return True


@dataclass
class OutboxStatus:
    """Counts for `flask outbox status` (and anyone who wants them)."""

    due: int
    retrying: int
    sending: int
    sent: int
    oldest_unsent: datetime | None


def status() -> OutboxStatus:
    """Count outbox rows by state, in one query."""
    now = utcnow()
    unsent = OutboxMail.sent_at.is_(None)
    leased = OutboxMail.locked_until >= now
    free = or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now)
    row = db.session.execute(
        select(
            func.count().filter(_due(now)),
            func.count().filter(unsent & (OutboxMail.next_attempt_at > now) & free),
            func.count().filter(unsent & leased),
            func.count().filter(OutboxMail.sent_at.is_not(None)),
            func.min(OutboxMail.created_at).filter(unsent),
        ).select_from(OutboxMail)
    ).one()
    return OutboxStatus(row[0], row[1], row[2], row[3], row[4])


def _kick_after_request() -> None:
    """Wake the background sender once this request's response is ready."""
    if not has_request_context():
        return
    sender = worker(current_app._get_current_object())

    @after_this_request
    def _kick(response: Response) -> Response:
        sender.kick()
        return response


def worker(app: Flask) -> OutboxWorker:
    """This app's background sender (one per app, started lazily in each process)."""
    return app.extensions["folio_outbox"]


def init_app(app: Flask) -> None:
    """Create the background sender and start it lazily in each process."""
    sender = OutboxWorker(app, send_due)
    app.extensions["folio_outbox"] = sender

    @app.before_request
    def _start_outbox_worker() -> None:
        # Lazily, in the serving process: never at import, so gunicorn's fork
        # gives every worker its own thread.
        sender.ensure_started()
