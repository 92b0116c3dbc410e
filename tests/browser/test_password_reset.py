"""Forgot password in a browser, with the mail received by a real SMTP server."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import smtp_config
from tests.browser.conftest import wait_for_htmx
from tests.browser.conftest import wait_for_mail
from tests.support.factories import make_user

STRONG = "quiet lantern orbits the marsh"


@pytest.mark.allow_console_errors("status of 422")  # the forms with errors
def test_forgot_password_full_flow(make_live_server, smtp_server, page):
    server = make_live_server(
        **smtp_config(smtp_server), SITE_URL="https://blog.example.org"
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

    mail = wait_for_mail(smtp_server)
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
