"""The outbox against a real SMTP server (aiosmtpd) on a free 127.0.0.1 port."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select
from sqlalchemy import update

from mail import claims
from mail import outbox
from mail.smtp import build_message
from models import ContactMessage
from models import OutboxMail
from models import db
from models import utcnow
from web.form_guard import form_timestamp

GOOD = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "subject": "Engines",
    "message": "Hello! A question about the analytical engine.",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: collects what it receives; refuses configured addresses."""

    def __init__(self) -> None:
        self.messages: list = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


class SMTPServer:
    """A real SMTP server the tests can stop and start again on the same port."""

    def __init__(self, **smtp_options) -> None:
        self.port = _free_port()
        self.inbox = Inbox()
        self._options = smtp_options
        self._controller: Controller | None = None

    def start(self) -> SMTPServer:
        self._controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, **self._options
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            if not self._controller.loop.is_closed():
                self._controller.loop.close()
            self._controller = None

    @property
    def messages(self) -> list:
        return self.inbox.messages


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


def _mail_config(port: int, **extra) -> dict:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 2,
        "MAIL_FROM": "Folio <folio@example.com>",
        "CONTACT_RECIPIENTS": ["team@example.com", "editor@example.com"],
        "SPAM_MIN_SECONDS": 0,
        "OUTBOX_WORKER": False,
        "SITE_TITLE": "The Engine Room",
        **extra,
    }


def _submit(app, **fields) -> None:
    with app.test_request_context():
        stamp = form_timestamp()
    response = app.test_client().post(
        "/contact/", data={**GOOD, "rendered_at": stamp, **fields}
    )
    assert response.status_code == 303


def _rows(app) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def _message(app) -> ContactMessage:
    with app.app_context():
        return db.session.scalars(select(ContactMessage)).one()


def _make_due(app) -> None:
    """Pretend the backoff has passed."""
    with app.app_context():
        db.session.execute(
            update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_message_arrives_with_the_right_headers(make_app, smtp_server):
    app = make_app(**_mail_config(smtp_server.port))
    _submit(app)
    report = outbox.send_due(app)
    assert (report.claimed, report.sent, report.failed) == (1, 1, 0)
    [mail] = smtp_server.messages
    assert mail["From"] == "Folio <folio@example.com>"
    assert mail["To"] == "team@example.com, editor@example.com"
    assert mail["Reply-To"] == "ada@example.org"
    assert mail["Subject"] == "[The Engine Room] Engines"
    assert mail["Message-ID"].endswith("@example.com>")
    body = mail.get_content()
    assert GOOD["message"] in body
    assert "Ada Lovelace <ada@example.org>" in body
    [(mail_from, rcpt_tos)] = smtp_server.inbox.envelopes
    assert mail_from == "folio@example.com"
    assert rcpt_tos == ["team@example.com", "editor@example.com"]
    [row] = _rows(app)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""
    assert row.locked_until is None
    message = _message(app)
    assert message.notified_at is not None
    assert message.notify_attempts == 1 and message.notify_error == ""


def test_server_down_keeps_the_message_and_cli_delivers_later(make_app):
    server = SMTPServer()  # not started: nothing listens on its port
    app = make_app(**_mail_config(server.port))
    runner = app.test_cli_runner()
    _submit(app)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 0, failed 1; 1 still waiting." in result.output
    [row] = _rows(app)
    assert row.sent_at is None and row.attempts == 1
    assert "ConnectionRefused" in row.last_error
    wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
    message = _message(app)
    assert message.notified_at is None
    assert message.notify_attempts == 1 and "ConnectionRefused" in message.notify_error

    server.start()
    try:
        # Not due yet: the backoff is respected.
        result = runner.invoke(args=["outbox", "send"])
        assert "Sent 0, failed 0; 1 still waiting." in result.output
        assert server.messages == []
        _make_due(app)
        result = runner.invoke(args=["outbox", "send"])
        assert "Sent 1, failed 0; 0 still waiting." in result.output
        assert len(server.messages) == 1
        assert server.messages[0]["Reply-To"] == "ada@example.org"
        # Running again never sends it twice.
        _make_due(app)
        result = runner.invoke(args=["outbox", "send"])
        assert "Sent 0, failed 0" in result.output
        assert len(server.messages) == 1
    finally:
        server.stop()
    [row] = _rows(app)
    assert row.attempts == 2 and row.last_error == ""
    message = _message(app)
    assert message.notified_at is not None and message.notify_error == ""


def test_concurrent_senders_never_send_a_mail_twice(make_app, smtp_server):
    app = make_app(**_mail_config(smtp_server.port, CONTACT_RECIPIENTS=["t@x.org"]))
    with app.app_context():
        for n in range(12):
            outbox.enqueue(["t@x.org"], f"Mail {n}", f"Body {n}")
        db.session.commit()
    reports = []
    start = threading.Barrier(4)

    def sender() -> None:
        start.wait()
        reports.append(outbox.send_due(app, limit=5))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # Whatever is left (each sender took at most 5), a later run finishes.
    reports.append(outbox.send_due(app))
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == sorted(f"Mail {n}" for n in range(12))
    assert sum(r.sent for r in reports) == 12
    assert all(row.attempts == 1 and row.sent_at for row in _rows(app))


def test_expired_lease_is_taken_over_and_a_live_one_is_left(make_app, smtp_server):
    app = make_app(**_mail_config(smtp_server.port))
    with app.app_context():
        crashed = outbox.enqueue(["a@x.org"], "Crashed worker's", "Body")
        busy = outbox.enqueue(["b@x.org"], "Busy worker's", "Body")
        db.session.flush()
        crashed.locked_until = utcnow() - timedelta(seconds=1)
        busy.locked_until = utcnow() + timedelta(minutes=5)
        db.session.commit()
    report = outbox.send_due(app)
    assert report.sent == 1
    assert [m["Subject"] for m in smtp_server.messages] == ["Crashed worker's"]


def test_a_refused_recipient_fails_alone(make_app, smtp_server):
    smtp_server.inbox.refuse.add("gone@x.org")
    app = make_app(**_mail_config(smtp_server.port))
    with app.app_context():
        outbox.enqueue(["gone@x.org"], "First", "Body")
        outbox.enqueue(["here@x.org"], "Second", "Body")
        db.session.commit()
    report = outbox.send_due(app)
    assert (report.sent, report.failed) == (1, 1)
    first, second = _rows(app)
    assert first.sent_at is None and "SMTPRecipientsRefused" in first.last_error
    assert second.sent_at is not None
    assert [m["Subject"] for m in smtp_server.messages] == ["Second"]


def test_starttls_refused_is_recorded(make_app, smtp_server):
    app = make_app(**_mail_config(smtp_server.port, SMTP_SECURITY="starttls"))
    _submit(app)
    report = outbox.send_due(app)
    assert report.failed == 1
    [row] = _rows(app)
    assert "STARTTLS" in row.last_error
    assert smtp_server.messages == []


def test_no_smtp_host_leaves_mail_waiting(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, CONTACT_RECIPIENTS=["t@x.org"])
    _submit(app)
    assert outbox.send_due(app).claimed == 0
    [row] = _rows(app)
    assert row.attempts == 0 and row.locked_until is None and row.sent_at is None
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "FOLIO_SMTP_HOST is not set" in result.output
    assert "1 mail(s) wait" in result.output


def test_status_command_counts(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, CONTACT_RECIPIENTS=["t@x.org"])
    with app.app_context():
        now = utcnow()
        outbox.enqueue(["a@x.org"], "Due", "Body")
        later = outbox.enqueue(["b@x.org"], "Retrying", "Body")
        leased = outbox.enqueue(["c@x.org"], "Leased", "Body")
        sent = outbox.enqueue(["d@x.org"], "Sent", "Body")
        db.session.flush()
        later.next_attempt_at = now + timedelta(minutes=4)
        later.attempts = 2
        leased.locked_until = now + timedelta(minutes=1)
        sent.sent_at = now
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert result.exit_code == 0
    lines = dict(
        line.split(":", 1) for line in result.output.splitlines() if ":" in line
    )
    assert lines["Due now"].strip() == "1"
    assert lines["Waiting to retry"].strip() == "1"
    assert lines["Being sent"].strip() == "1"
    assert lines["Sent"].strip() == "1"
    assert "Oldest unsent" in lines
    assert "FOLIO_SMTP_HOST is not set" in result.output


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (0, timedelta(0)),
        (1, timedelta(minutes=1)),
        (2, timedelta(minutes=2)),
        (5, timedelta(minutes=16)),
        (9, timedelta(hours=4, minutes=16)),
        (10, timedelta(hours=6)),
        (1000, timedelta(hours=6)),
    ],
)
def test_backoff_doubles_up_to_six_hours(attempts, wait):
    assert claims.backoff(attempts) == wait


def test_failures_back_off_further_each_time(make_app):
    app = make_app(**_mail_config(_free_port()))
    with app.app_context():
        outbox.enqueue(["a@x.org"], "Hello", "Body")
        db.session.commit()
    waits = []
    for _ in range(3):
        _make_due(app)
        outbox.send_due(app)
        [row] = _rows(app)
        waits.append(row.next_attempt_at - utcnow())
    assert waits[0] < waits[1] < waits[2]
    assert _rows(app)[0].attempts == 3


@pytest.mark.parametrize(
    "field", ["subject", "reply_to", "to_addrs"], ids=["subject", "reply", "to"]
)
def test_mail_headers_refuse_line_breaks(field):
    mail = OutboxMail(
        id=1,
        to_addrs="team@example.com",
        subject="Hello",
        body="Body",
        reply_to="ada@example.org",
    )
    setattr(mail, field, getattr(mail, field) + "\r\nBcc: victim@example.com")
    config = {"MAIL_FROM": "folio@example.com"}
    with pytest.raises(ValueError):
        build_message(mail, config).as_bytes()


def test_retry_now_makes_a_failed_mail_due(make_app):
    app = make_app(**_mail_config(_free_port()))
    with app.app_context():
        mail = outbox.enqueue(["a@x.org"], "Hello", "Body")
        done = outbox.enqueue(["b@x.org"], "Done", "Body")
        db.session.flush()
        mail.next_attempt_at = utcnow() + timedelta(hours=6)
        done.sent_at = utcnow()
        db.session.commit()
        mail_id, done_id = mail.id, done.id
    with app.app_context():
        assert outbox.retry_now(mail_id) is True
        assert outbox.retry_now(done_id) is False
        assert outbox.retry_now(999_999) is False
        assert outbox.status().due == 1


def test_background_worker_sends_right_after_the_response(make_app, smtp_server):
    app = make_app(**_mail_config(smtp_server.port, OUTBOX_WORKER=True))
    try:
        _submit(app)
        deadline = time.monotonic() + 10
        while not smtp_server.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(smtp_server.messages) == 1
        assert outbox.worker(app).running
    finally:
        outbox.worker(app).stop()
    assert _message(app).notified_at is not None


def test_a_hanging_server_never_slows_the_form(make_app):
    # A server that accepts connections and never says a word.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        app = make_app(**_mail_config(port, OUTBOX_WORKER=True, SMTP_TIMEOUT=1))
        try:
            started = time.monotonic()
            _submit(app)
            assert time.monotonic() - started < 0.9  # under the SMTP timeout
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not _rows(app)[0].attempts:
                time.sleep(0.1)
        finally:
            outbox.worker(app).stop()
    [row] = _rows(app)
    assert row.attempts == 1 and row.sent_at is None
    assert "timed out" in row.last_error.lower()
    assert _message(app).notify_error


def test_worker_is_off_without_smtp_host(make_app):
    app = make_app(OUTBOX_WORKER=True, SPAM_MIN_SECONDS=0)
    _submit(app)
    assert not outbox.worker(app).running


def test_background_worker_retries_on_its_own(make_app):
    server = SMTPServer()  # down at first
    app = make_app(
        **_mail_config(server.port, OUTBOX_WORKER=True, OUTBOX_POLL_SECONDS=1)
    )
    try:
        _submit(app)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _rows(app)[0].attempts:
            time.sleep(0.05)
        assert "ConnectionRefused" in _rows(app)[0].last_error
        server.start()
        _make_due(app)  # as if the first backoff had passed
        # No request kicks it: the thread's own timer finds the mail.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not server.messages:
            time.sleep(0.05)
        assert len(server.messages) == 1
    finally:
        outbox.worker(app).stop()
        server.stop()
    [row] = _rows(app)
    assert row.sent_at is not None and row.attempts == 2


def test_unknown_security_mode_is_recorded_not_sent_in_clear(make_app, smtp_server):
    app = make_app(**_mail_config(smtp_server.port, SMTP_SECURITY="ssl"))
    _submit(app)
    assert outbox.send_due(app).failed == 1
    [row] = _rows(app)
    assert "FOLIO_SMTP_SECURITY must be starttls, tls or none" in row.last_error
    assert smtp_server.messages == []


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"folio" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


@pytest.mark.parametrize(("password", "sent"), [("s3cret", 1), ("wrong", 0)])
def test_smtp_login(make_app, password, sent):
    server = SMTPServer(authenticator=_authenticator, auth_require_tls=False).start()
    try:
        app = make_app(
            **_mail_config(server.port, SMTP_USER="folio", SMTP_PASSWORD=password)
        )
        _submit(app)
        report = outbox.send_due(app)
        assert report.sent == sent and len(server.messages) == sent
    finally:
        server.stop()
    if not sent:  # refused (how smtplib words it depends on its fallbacks)
        [row] = _rows(app)
        assert row.sent_at is None and row.last_error.startswith("SMTP")


def test_worker_starts_afresh_in_a_forked_process(make_app, smtp_server, monkeypatch):
    app = make_app(**_mail_config(smtp_server.port, OUTBOX_WORKER=True))
    sender = outbox.worker(app)
    assert not sender.running  # nothing at app creation (gunicorn's master)
    try:
        app.test_client().get("/contact/")
        assert sender.running
        first, first_events = sender._thread, (sender._wake, sender._stop)
        # In a forked child the parent's thread does not exist; a new one starts.
        from mail import worker as module

        child_pid = module.os.getpid() + 1
        monkeypatch.setattr(module.os, "getpid", lambda: child_pid)
        assert not sender.running
        app.test_client().get("/contact/")
        assert sender.running and sender._thread is not first
    finally:
        sender.stop()
        monkeypatch.undo()
        for event in reversed(first_events):
            event.set()
        first.join(5)
    assert not first.is_alive()


ENCODED_INJECTION = "=?utf-8?q?Hi=0D=0AReply-To:_attacker@evil.test?="


@pytest.mark.parametrize(
    "subject",
    [
        ENCODED_INJECTION,
        "=?utf-8?b?SGkNCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=",
        f"[Folio] Contact: {ENCODED_INJECTION}",
    ],
)
def test_encoded_words_never_become_headers(subject):
    """CVE-2024-6923 class: on this interpreter too, user text stays one Subject."""
    mail = OutboxMail(id=1, to_addrs="team@example.com", subject=subject, body="B")
    raw = build_message(mail, {"MAIL_FROM": "folio@example.com"}).as_bytes()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert sorted(parsed.keys()) == sorted(
        [
            "From",
            "To",
            "Subject",
            "Message-ID",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ]
    )
    assert "\n" not in str(parsed["Subject"])
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    assert not any(line.startswith((b"Reply-To", b"Bcc")) for line in lines)
    assert raw.split(b"\r\n\r\n", 1)[1].strip() == b"B"
