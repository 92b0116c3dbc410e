"""The settings page's test mail, and the dashboard's warning about contact recipients."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from models import AuditAction
from models import AuditEvent
from models import Role
from models import db
from tests.support.staff_support import staff_client
from tests.test_outbox import SMTPServer
from tests.test_staff_settings import DEFAULTS


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mail_app(make_app, port: int, **extra):
    return make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=2,
        MAIL_FROM="Folio <folio@example.com>",
        OUTBOX_WORKER=False,
        **extra,
    )


def _audit(app) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.detail).where(
            AuditEvent.action == AuditAction.TEST_MAIL_SENT.value
        )
        return list(db.session.scalars(query))


def test_test_mail_reaches_the_server_and_says_so(make_app, smtp_server, htmx_headers):
    app = _mail_app(make_app, smtp_server.port)
    client, _ = staff_client(app, email="admin@example.com")
    response = client.post("/staff/settings/test-mail", headers=htmx_headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="test-mail"')
    assert "autofocus>Sent to admin@example.com.</p>" in html
    [message] = smtp_server.messages
    assert message["To"] == "admin@example.com"
    assert message["Subject"] == "Test mail from Folio"
    assert _audit(app) == ["Sent to admin@example.com."]


def test_test_mail_without_js_redirects_with_the_outcome(make_app, smtp_server):
    app = _mail_app(make_app, smtp_server.port)
    client, _ = staff_client(app, email="admin@example.com")
    response = client.post("/staff/settings/test-mail")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/settings#test-mail"
    assert "Sent to admin@example.com." in client.get("/staff/settings").text


def test_test_mail_to_a_closed_port_shows_the_error(make_app, htmx_headers):
    app = _mail_app(make_app, _closed_port())
    client, _ = staff_client(app)
    response = client.post("/staff/settings/test-mail", headers=htmx_headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Not sent: [Errno 111] Connection refused" in html
    assert "save-status-error" in html
    assert "Traceback" not in html
    assert _audit(app) == ["Not sent: [Errno 111] Connection refused"]


def test_test_mail_without_a_server_says_mail_waits(app, htmx_headers):
    client, _ = staff_client(app)
    html = client.post("/staff/settings/test-mail", headers=htmx_headers).text
    assert "No mail server is set (FOLIO_SMTP_HOST)" in html


def test_test_mail_is_limited_per_admin(make_app, smtp_server):
    app = _mail_app(make_app, smtp_server.port, RATELIMIT_ENABLED=True)
    client, _ = staff_client(app)
    statuses = [client.post("/staff/settings/test-mail").status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]
    assert len(smtp_server.messages) == 5
    other, _ = staff_client(app)
    assert other.post("/staff/settings/test-mail").status_code == 303


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR, Role.MODERATOR])
def test_dashboard_warns_when_contact_reaches_nobody(app, role):
    client, _ = staff_client(app, role=role)
    html = client.get("/staff/").text
    assert "Contact messages reach nobody" in html
    link = 'href="/staff/settings#contact_recipients">Set the recipients in Settings'
    assert (link in html) == (role == Role.ADMIN)
    if role != Role.ADMIN:
        assert "Settings → Contact → Recipients" in html


def test_dashboard_names_the_variable_when_it_is_locked(make_app, monkeypatch):
    monkeypatch.setenv("FOLIO_CONTACT_RECIPIENTS", "")
    client, _ = staff_client(make_app())
    assert "with <code>FOLIO_CONTACT_RECIPIENTS</code>" in client.get("/staff/").text


def test_no_warning_once_recipients_are_set(app):
    client, _ = staff_client(app)
    client.post(
        "/staff/settings", data={**DEFAULTS, "contact_recipients": "team@example.com"}
    )
    assert "Contact messages reach nobody" not in client.get("/staff/").text
