"""The outbox sends each mail once: per-mail claims, a check before sending, retried records.

A fake SMTP connection (mail.outbox.smtp_connection replaced) lets a test hold
a sender in the middle of a send; a shifted clock (utcnow in mail.claims and
mail.outbox) lets leases run out without waiting for them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mail import claims
from mail import outbox
from mail.smtp import build_message
from mail.smtp import message_id_domain
from models import OutboxMail
from models import db
from models import utcnow

CONFIG = {
    "SMTP_HOST": "smtp.invalid",
    "SMTP_SECURITY": "none",
    "SMTP_TIMEOUT": 2,
    "MAIL_FROM": "Folio <folio@example.com>",
    "OUTBOX_WORKER": False,
}
# Long enough for a real thread to overlap another's send, short enough not to matter.
SEND_SECONDS = 0.02


class FakeSMTP:
    """Records every message it is given; on_send(message) runs before it returns."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.senders: list[str] = []
        self.on_send = lambda message: None
        self._lock = threading.Lock()

    def send_message(self, message: EmailMessage, to_addrs=None) -> dict:
        self.on_send(message)
        with self._lock:
            self.sent.append(message)
            self.senders.append(threading.current_thread().name)
        return {}

    def subjects(self) -> list[str]:
        return sorted(str(message["Subject"]) for message in self.sent)


@pytest.fixture
def smtp(monkeypatch) -> FakeSMTP:
    fake = FakeSMTP()

    @contextmanager
    def connection(config):
        yield fake

    monkeypatch.setattr(outbox, "smtp_connection", connection)
    return fake


class Clock:
    """utcnow() for the outbox, moved forward on demand."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.shift


@pytest.fixture
def clock(monkeypatch) -> Clock:
    shifted = Clock()
    monkeypatch.setattr(claims, "utcnow", shifted)
    monkeypatch.setattr(outbox, "utcnow", shifted)
    return shifted


@pytest.fixture
def quick_retries(monkeypatch) -> None:
    monkeypatch.setattr(claims, "RECORD_PAUSES", (0.01, 0.01, 0.01, 0.01))


def _queue(app, count: int) -> list[int]:
    with app.app_context():
        mails = [
            outbox.enqueue([f"to{n}@example.org"], f"Mail {n:02}", f"Body {n}")
            for n in range(count)
        ]
        db.session.commit()
        return [mail.id for mail in mails]


def _rows(app) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


@contextmanager
def _failing_records(app, times: int):
    """The first `times` statements recording a send fail as a locked database would."""
    engine = _engine(app)
    failures = []

    def fail(conn, cursor, statement, parameters, context, executemany):
        assignments = statement.split(" WHERE ")[0]
        if assignments.startswith("UPDATE outbox SET") and "sent_at" in assignments:
            if len(failures) < times:
                failures.append(statement)
                raise OperationalError(
                    statement,
                    parameters,
                    sqlite3.OperationalError("database is locked"),
                )

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield failures
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def _engine(app):
    with app.app_context():
        return db.engine


def test_two_slow_senders_deliver_each_mail_once(make_app, smtp):
    app = make_app(**CONFIG)
    _queue(app, 12)
    # Each sender's first send waits for the other's: both are mid-send at once.
    both_sending = threading.Barrier(2, timeout=10)
    first_sends = set()

    def slow_send(message) -> None:
        name = threading.current_thread().name
        if name not in first_sends:
            first_sends.add(name)
            both_sending.wait()
        time.sleep(SEND_SECONDS)

    smtp.on_send = slow_send
    start = threading.Barrier(2)
    reports = []

    def sender() -> None:
        start.wait()
        reports.append(outbox.send_due(app))

    threads = [threading.Thread(target=sender, name=f"sender-{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert smtp.subjects() == [f"Mail {n:02}" for n in range(12)]
    assert set(smtp.senders) == {"sender-1", "sender-2"}
    assert sum(report.sent for report in reports) == 12
    assert all(row.sent_at and row.attempts == 1 for row in _rows(app))


def test_a_sender_leases_only_the_mail_it_is_sending(make_app, smtp):
    app = make_app(**CONFIG)
    _queue(app, 5)
    leased_during_sends = []

    def count_leased(message) -> None:
        with app.app_context():
            leased = db.session.scalars(
                select(OutboxMail.id).where(OutboxMail.locked_until.is_not(None))
            ).all()
            leased_during_sends.append(len(leased))

    smtp.on_send = count_leased
    report = outbox.send_due(app)
    assert (report.claimed, report.sent) == (5, 5)
    assert leased_during_sends == [1, 1, 1, 1, 1]


def test_a_lease_running_out_mid_batch_sends_no_mail_twice(make_app, smtp, clock):
    app = make_app(**CONFIG)
    _queue(app, 6)
    in_send, resume = threading.Event(), threading.Event()

    def hold_the_first_send(message) -> None:
        if threading.current_thread().name == "slow" and not in_send.is_set():
            in_send.set()
            assert resume.wait(10)

    smtp.on_send = hold_the_first_send
    reports = []
    slow = threading.Thread(
        target=lambda: reports.append(outbox.send_due(app)), name="slow"
    )
    slow.start()
    try:
        assert in_send.wait(10)
        # The slow sender's lease has run out while it is still talking to SMTP.
        clock.shift = claims.lease_length(app.config) + timedelta(seconds=1)
        other = outbox.send_due(app)
    finally:
        resume.set()
        slow.join(10)
    [first] = reports
    # The mail in flight is left alone; the others go out once, from the other sender.
    assert (first.claimed, first.sent) == (1, 1)
    assert (other.claimed, other.sent) == (5, 5)
    assert smtp.subjects() == [f"Mail {n:02}" for n in range(6)]
    assert all(row.sent_at and row.attempts == 1 for row in _rows(app))


def test_a_send_outlasting_lease_and_retry_wait_repeats_with_the_same_id(
    make_app, smtp, clock
):
    # Only a sender stuck in one SMTP conversation past its lease and the retry
    # wait can duplicate a mail, and the copy names the same Message-ID.
    app = make_app(**CONFIG)
    [mail_id] = _queue(app, 1)
    in_send, resume = threading.Event(), threading.Event()

    def hold(message) -> None:
        if threading.current_thread().name == "stuck":
            in_send.set()
            assert resume.wait(10)

    smtp.on_send = hold
    reports = []
    stuck = threading.Thread(
        target=lambda: reports.append(outbox.send_due(app)), name="stuck"
    )
    stuck.start()
    try:
        assert in_send.wait(10)
        clock.shift = claims.lease_length(app.config) + claims.backoff(1) * 2
        other = outbox.send_due(app)
    finally:
        resume.set()
        stuck.join(10)
    assert other.sent == 1
    assert reports[0].sent == 0  # its claim was taken over: it records nothing
    first, second = smtp.sent
    assert first["Message-ID"] == second["Message-ID"]
    [row] = _rows(app)
    assert row.id == mail_id and row.sent_at and row.attempts == 1


def test_a_failed_record_is_retried_and_the_mail_not_sent_again(
    make_app, smtp, clock, quick_retries
):
    app = make_app(**CONFIG)
    _queue(app, 2)
    with _failing_records(app, times=3) as failures:
        report = outbox.send_due(app)
    assert len(failures) == 3
    assert (report.claimed, report.sent, report.unrecorded) == (2, 2, 0)
    assert all(row.sent_at and row.attempts == 1 for row in _rows(app))
    clock.shift = timedelta(days=1)
    assert outbox.send_due(app).claimed == 0
    assert len(smtp.sent) == 2


def test_a_record_that_never_takes_is_logged_and_not_resent_soon(
    make_app, smtp, clock, quick_retries, caplog
):
    app = make_app(**CONFIG)
    [mail_id] = _queue(app, 1)
    with _failing_records(app, times=100) as failures:
        with caplog.at_level(logging.WARNING):
            report = outbox.send_due(app)  # no exception escapes
    assert len(failures) == len(claims.RECORD_PAUSES) + 1
    assert (report.sent, report.unrecorded) == (0, 1)
    assert not report.more_may_be_due
    assert f"mail {mail_id} was sent but the database did not record it" in caplog.text
    # Not when the lease runs out: only once a failed attempt's wait has passed too.
    clock.shift = claims.lease_length(app.config) + timedelta(seconds=1)
    assert outbox.send_due(app).claimed == 0
    clock.shift += claims.backoff(1)
    assert outbox.send_due(app).sent == 1
    first, second = smtp.sent
    assert first["Message-ID"] == second["Message-ID"]


def test_a_real_sqlite_lock_while_recording_is_waited_out(make_app, smtp, caplog):
    app = make_app(**CONFIG, SQLITE_BUSY_TIMEOUT_MS=100)
    if _engine(app).dialect.name != "sqlite":
        pytest.skip("holds SQLite's write lock from another connection")
    _queue(app, 1)
    path = _engine(app).url.database
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    retrying = threading.Event()

    class Retrying(logging.Handler):
        def emit(self, record) -> None:
            if "trying again" in record.getMessage():
                retrying.set()

    def lock_the_database(message) -> None:
        holder.execute("BEGIN IMMEDIATE")

    def release_after_a_failed_try() -> None:
        retrying.wait(10)
        holder.execute("COMMIT")

    smtp.on_send = lock_the_database
    handler = Retrying()
    app.logger.addHandler(handler)
    releaser = threading.Thread(target=release_after_a_failed_try)
    releaser.start()
    try:
        report = outbox.send_due(app)
    finally:
        retrying.set()
        releaser.join(10)
        app.logger.removeHandler(handler)
        holder.close()
    assert "database is locked" in caplog.text
    assert (report.sent, report.unrecorded) == (1, 0)
    [row] = _rows(app)
    assert row.sent_at and row.attempts == 1 and row.locked_until is None


def test_a_claim_is_checked_just_before_sending(make_app, clock):
    app = make_app(**CONFIG)
    _queue(app, 1)
    with app.app_context():
        config = app.config
        mine = claims.claim_next(config)
        assert claims.still_ours(mine, config)
        # Another claim of the same row, as after the lease and the retry wait.
        clock.shift = claims.lease_length(config) + claims.backoff(1) * 2
        theirs = claims.claim_next(config)
        assert theirs.mail.id == mine.mail.id and theirs.lease > mine.lease
        assert not claims.still_ours(mine, config)
        assert claims.record(mine, None) is False  # only the holder records
        assert claims.still_ours(theirs, config)
        assert claims.record(theirs, None) is True
        assert not claims.still_ours(theirs, config)  # sent
    _queue(app, 1)
    with app.app_context():
        # A sender that stalled past half its lease does not start the send.
        stalled = claims.claim_next(config)
        clock.shift += claims.lease_length(config) * 0.6
        assert not claims.still_ours(stalled, config)


def test_a_lost_claim_is_skipped_not_sent(make_app, smtp, clock, monkeypatch):
    app = make_app(**CONFIG)
    _queue(app, 1)
    check = claims.still_ours

    def stall_then_check(claim, config) -> bool:
        clock.shift = claims.lease_length(config)  # the lease is gone
        return check(claim, config)

    monkeypatch.setattr(outbox, "still_ours", stall_then_check)
    report = outbox.send_due(app)
    assert (report.claimed, report.skipped, report.sent) == (1, 1, 0)
    assert smtp.sent == []
    [row] = _rows(app)
    assert row.sent_at is None and row.attempts == 0


def _message_ids(app, ids: list[int]) -> list[str]:
    """Build each row's message in a fresh app context; return their Message-IDs."""
    with app.app_context():
        rows = [db.session.get(OutboxMail, id_) for id_ in ids]
        return [str(build_message(row, app.config)["Message-ID"]) for row in rows]


def test_message_id_is_stable_per_row_and_unique_across_rows(make_app):
    app = make_app(**CONFIG)
    ids = _queue(app, 2)
    builds = [_message_ids(app, ids), _message_ids(app, ids)]
    assert builds[0] == builds[1]
    first, second = builds[0]
    assert first != second
    assert first.startswith(f"<folio-outbox-{ids[0]}-")
    assert first.endswith("@example.com>")


def test_message_id_of_a_reused_row_id_differs():
    mail = OutboxMail(id=7, to_addrs="a@x.org", subject="S", body="B")
    config = {"MAIL_FROM": "folio@example.com"}
    mail.created_at = datetime(2024, 5, 1, 12, 0, 0, 123456).astimezone()
    earlier = build_message(mail, config)["Message-ID"]
    mail.created_at = datetime(2025, 5, 1, 12, 0, 0, 123456).astimezone()
    assert build_message(mail, config)["Message-ID"] != earlier


@pytest.mark.parametrize(
    ("mail_from", "site_url", "domain"),
    [
        ("Folio <folio@example.com>", "https://blog.example.org", "example.com"),
        ("folio", "https://blog.example.org/", "blog.example.org"),
        ("folio@ex$ample.com", "", "example.com"),
        ("folio", "", "localhost"),
    ],
)
def test_message_id_domain(mail_from, site_url, domain):
    config = {"MAIL_FROM": mail_from, "SITE_URL": site_url}
    assert message_id_domain(config) == domain


def test_cli_says_when_an_outcome_was_not_recorded(make_app, smtp, quick_retries):
    app = make_app(**CONFIG)
    _queue(app, 1)
    with _failing_records(app, times=100):
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 0, failed 0; 0 still waiting." in result.output
    assert "1 outcome(s) could not be recorded" in result.output


def test_retry_now_leaves_a_mail_a_sender_holds(make_app):
    """ "Retry now" must not make a leased mail due before its lease runs out."""
    from datetime import timedelta

    from mail import outbox
    from models import OutboxMail
    from models import db
    from models import utcnow

    app = make_app()
    with app.app_context():
        mail = OutboxMail(to_addrs="a@example.org", subject="s", body="b")
        mail.locked_until = utcnow() + timedelta(minutes=1)
        db.session.add(mail)
        db.session.commit()
        mail_id = mail.id
    with app.test_request_context():
        assert outbox.retry_now(mail_id) is False
