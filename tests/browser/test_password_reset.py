"""Forgot password in a browser, with the mail received by a real SMTP server."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import make_user
from tests.test_outbox import SMTPServer

STRONG = "quiet lantern orbits the marsh"


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


def _wait_for_mail(smtp_server, timeout: float = 15.0):
    """The first message the SMTP server received, once it has one."""
    deadline = time.monotonic() + timeout
    while not smtp_server.messages:
        assert time.monotonic() < deadline, "no mail received"
        time.sleep(0.05)
    return smtp_server.messages[0]


@pytest.mark.allow_console_errors("status of 422")  # the forms with errors
def test_forgot_password_full_flow(make_live_server, smtp_server, page):
    server = make_live_server(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=2,
        OUTBOX_WORKER=True,
        OUTBOX_POLL_SECONDS=1,
        SITE_URL="https://blog.example.org",
    )
    with server.app.app_context():
        make_user(email="ed@example.com", display_name="Ed Editor")

    page.goto(server("/staff/login"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(re.compile(r"/staff/password/forgot$"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)

    # A bad address: htmx swaps the form alone, with its error.
    page.get_by_label("Email").fill("not an address")
    settled_after(
        page, lambda: page.get_by_role("button", name="Send the link").click()
    )
    assert page.url.endswith("/staff/password/forgot")
    assert page.locator("#email-error").inner_text().strip()

    page.get_by_label("Email").fill("ed@example.com")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url(re.compile(r"/staff/login$"))
    assert "If an account uses this address" in page.content()

    mail = _wait_for_mail(smtp_server)
    assert mail["To"] == "ed@example.com"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https://blog\.example\.org/staff/password/reset/\S+", body)
    assert link, body

    page.goto(server(urlsplit(link.group(0)).path))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("Repeat the new password").fill("password1234")
    settled_after(
        page, lambda: page.get_by_role("button", name="Set the new password").click()
    )
    assert "too easy to guess" in page.locator("#reset-form").inner_text()

    page.get_by_label("New password", exact=True).fill(STRONG)
    page.get_by_label("Repeat the new password").fill(STRONG)
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_url(re.compile(r"/staff/login$"))
    assert "Your password has been changed" in page.content()

    page.get_by_label("Email").fill("ed@example.com")
    page.get_by_label("Password").fill(STRONG)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/$"))
