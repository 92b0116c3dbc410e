"""The outbox: mail stored in the database until it is sent.

enqueue() adds a row in the caller's transaction: the receivers of Folio's
domain events (signals.py) queue their mail in a short write of their own
right after the change commits. Sending happens later: send_due() claims due
rows one at a time, each with a lease of its own (mail/claims.py), so two
senders never send the same row and a sender that dies mid-send only delays a
mail; it sends each over one SMTP connection per round and records the outcome
at once, retrying failures with exponential backoff. It runs from `flask outbox
send` (cron, a systemd timer) and from a background thread in each app process
(mail/worker.py). Before each round the callables registered with
before_each_round() run (the reader digests queue their mail there), so work
that must happen without a request happens on the sender's clock; mail/
imports no blueprint, the app registers them. Delivery is at least once: only a sender killed during an
SMTP conversation, or one whose database stays locked past its retries, can
send a mail again, and the copy carries the same Message-ID.
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from flask import Response
from flask import after_this_request
from flask import current_app
from flask import has_request_context
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from mail.claims import Claim
from mail.claims import claim_next
from mail.claims import due
from mail.claims import record_retrying
from mail.claims import still_ours
from mail.smtp import build_message
from mail.smtp import message_id
from mail.smtp import recipients
from mail.smtp import smtp_connection
from mail.worker import OutboxWorker
from models import OutboxMail
from models import db
from models import utcnow
from storage.transactions import write_transaction

# Claims per round, all sent over one SMTP connection.
BATCH = 50
# app.extensions key of the callables run before each round.
BEFORE_ROUND = "folio_outbox_before_round"


def enqueue(
    to: list[str],
    subject: str,
    body: str,
    reply_to: str = "",
    headers: dict[str, str] | None = None,
    **links: int | None,
) -> OutboxMail | None:
    """Add a mail to the outbox (the caller commits); None when there is nobody to tell.

    headers: more headers (mail.smtp.EXTRA_HEADERS names those allowed).
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
        extra_headers=json.dumps(headers) if headers else "",
        **links,
    )
    db.session.add(mail)
    _kick_after_request()
    return mail


@dataclass
class SendReport:
    """What one send_due() round did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    # Claimed, then found taken over (or stalled) just before sending: not sent.
    skipped: int = 0
    # An outcome the database would not take, even after retries (logged).
    unrecorded: int = 0

    @property
    def more_may_be_due(self) -> bool:
        """True when the round claimed mail without trouble: more may be due at once."""
        return bool(self.claimed) and not (self.failed or self.unrecorded)


def _describe(exc: BaseException) -> str:
    """An exception as a one-line error for last_error (at most 500 characters)."""
    text = str(exc).strip() or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:500]


class _Round:
    """One send_due() round: one SMTP connection, one claimed mail at a time."""

    def __init__(self, app: Flask, smtp: smtplib.SMTP | None, broken: str | None):
        self.app = app
        self.smtp = smtp
        # Why the connection is unusable (the rest of the round's mail fails with it).
        self.broken = broken
        self.report = SendReport()

    def claim(self) -> Claim | None:
        """The next due row, or None (nothing due, or the database is unwritable)."""
        try:
            claim = claim_next(self.app.config)
        except OperationalError as exc:
            self.app.logger.warning("outbox: could not claim mail: %s", exc.orig or exc)
            return None
        if claim is not None:
            self.report.claimed += 1
        return claim

    def deliver(self, claim: Claim) -> None:
        """Send one claimed mail unless it cannot be built or is no longer ours; record it."""
        try:
            message = build_message(claim.mail, self.app.config)
            to_addrs = recipients(claim.mail)
        except (ValueError, TypeError) as exc:  # a header the mail library refuses
            self.outcome(claim, _describe(exc))
            return
        if self.broken is not None:
            self.outcome(claim, self.broken)
            return
        if not self._still_ours(claim):
            self.report.skipped += 1
            return
        try:
            self.smtp.send_message(message, to_addrs=to_addrs)
        except smtplib.SMTPServerDisconnected as exc:
            self.broken = _describe(exc)
            self.outcome(claim, self.broken)
            return
        except smtplib.SMTPException as exc:  # refused: this mail only
            self.outcome(claim, _describe(exc))
            return
        except OSError as exc:  # SMTPException is an OSError too: it comes first
            self.broken = _describe(exc)
            self.outcome(claim, self.broken)
            return
        self.outcome(claim, None)

    def _still_ours(self, claim: Claim) -> bool:
        """still_ours(), with a database that cannot answer taken as a no."""
        try:
            ours = still_ours(claim, self.app.config)
        except OperationalError as exc:
            self.app.logger.warning(
                "outbox: could not check mail %s: %s", claim.mail.id, exc.orig or exc
            )
            return False
        if not ours:
            self.app.logger.warning(
                "outbox: mail %s not sent: its claim was lost before sending",
                claim.mail.id,
            )
        return ours

    def outcome(self, claim: Claim, error: str | None) -> None:
        """Record one attempt (retrying a locked database) and count it."""
        recorded = record_retrying(claim, error)
        if recorded is None:  # logged by record_retrying()
            self.report.unrecorded += 1
        elif not recorded:
            # Sent (or tried) after the lease was lost: another sender may
            # send it too, under the same Message-ID (at-least-once).
            self.app.logger.warning(
                "outbox: mail %s lost its lease while being sent (Message-ID %s)",
                claim.mail.id,
                message_id(claim.mail, self.app.config),
            )
        elif error is None:
            self.report.sent += 1
        else:
            self.report.failed += 1
            self.app.logger.warning(
                "outbox: mail %s not sent: %s", claim.mail.id, error
            )


def _anything_due() -> bool:
    """True when some row is due now (a read: no connection is opened for nothing)."""
    found = db.session.scalar(select(OutboxMail.id).where(due(utcnow())).limit(1))
    db.session.rollback()
    return found is not None


def before_each_round(app: Flask, prepare: Callable[[Flask], object]) -> None:
    """Run prepare(app) (in an app context) before every send_due() round.

    For work that queues mail on a clock rather than on a request: the reader
    digests (blueprints/subscriptions/digest.py). An error is logged, never
    raised: the round sends what is already queued either way.
    """
    app.extensions.setdefault(BEFORE_ROUND, []).append(prepare)


def run_before_round(app: Flask) -> None:
    """Call the before_each_round() callables of app (inside its app context)."""
    for prepare in app.extensions.get(BEFORE_ROUND, ()):
        try:
            prepare(app)
        except Exception:  # a bug or the database: the sending goes on
            db.session.rollback()
            app.logger.exception("outbox: %r failed before a round", prepare)


def send_due(app: Flask, limit: int = BATCH) -> SendReport:
    """Send up to limit due mails, claiming each just before it is sent.

    The before_each_round() callables run first. Without FOLIO_SMTP_HOST nothing
    is claimed: mail waits (the staff inbox shows it). No database error while
    recording escapes: it is retried, then logged.
    """
    with app.app_context():
        run_before_round(app)
        if not app.config["SMTP_HOST"] or not _anything_due():
            return SendReport()
        with ExitStack() as stack:
            try:
                smtp = stack.enter_context(smtp_connection(app.config))
                sending = _Round(app, smtp, None)
            except (smtplib.SMTPException, OSError) as exc:
                # Could not connect or log in: each due mail records why and waits.
                sending = _Round(app, None, _describe(exc))
            while sending.report.claimed < limit:
                claim = sending.claim()
                if claim is None:
                    break
                sending.deliver(claim)
        return sending.report


def retry_now(mail_id: int) -> bool:
    """Make an unsent mail due at once and wake the sender; commits.

    False when it is sent, gone, or being sent (leased) right now.

    For the staff inbox's "Retry now" button. The background sender (when
    enabled) picks it up right after the response; otherwise the next
    `flask outbox send` does.
    """
    with write_transaction():
        result = db.session.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.sent_at.is_(None),
                # Not while a sender holds it: "now" would undo the margin a
                # claim keeps past its lease against a second, overlapping send.
                or_(
                    OutboxMail.locked_until.is_(None),
                    OutboxMail.locked_until < utcnow(),
                ),
            )
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
            func.count().filter(due(now)),
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
