"""Two-factor sign-in in a real browser: enrol by reading the key off the page,
sign out, sign in with the password and a code, with htmx and without JavaScript."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from blueprints.staff import totp
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import smtp_config
from tests.browser.conftest import wait_for_htmx
from tests.browser.conftest import wait_for_mail
from tests.support.factories import PASSWORD
from tests.support.factories import make_user

EMAIL = "ed@example.com"


class Clock:
    """The server's two-factor clock (the live server runs in this process)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def next_step(self) -> None:
        """Move on to the next 30-second step: the last code is spent."""
        self.now += 30


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(totp, "clock", clock)
    return clock


def password_step(page, server) -> None:
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def enrol(page, server, clock) -> str:
    """Turn two-factor sign-in on through its page; the key read off it."""
    page.goto(server("/staff/two-factor"))
    wait_for_htmx(page)
    assert page.locator("svg.qr-code").is_visible()
    assert_no_axe_violations(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    # A wrong code: htmx swaps the form alone, with its error, in place.
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Code from your app").fill("000000")
    settled_after(
        page,
        lambda: page.get_by_role("button", name="Turn on two-factor sign-in").click(),
    )
    assert page.url.endswith("/staff/two-factor")
    assert "not right" in page.locator("#code-error").inner_text()
    # A password field is never filled in again by the server.
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).at(clock.now))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.wait_for_url(re.compile(r"/staff/two-factor/recovery-codes$"))
    assert page.locator(".recovery-codes li").count() == 10
    assert page.get_by_role("button", name="Print").is_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="I have saved them").click()
    page.wait_for_url(re.compile(r"/staff/two-factor$"))
    assert "10 unused recovery codes" in page.content()
    assert_no_axe_violations(page)
    return secret


@pytest.mark.allow_console_errors("status of 422")  # the refused codes
def test_enrol_then_sign_in_with_a_code(
    make_live_server, smtp_server, page, nojs_page, clock
):
    live_server = make_live_server(**smtp_config(smtp_server))
    with live_server.app.app_context():
        make_user(email=EMAIL, display_name="Ed Editor")
    password_step(page, live_server)
    page.wait_for_url(re.compile(r"/staff/$"))
    secret = enrol(page, live_server, clock)
    # The account hears of it, through the outbox, from a real SMTP server.
    mail = wait_for_mail(smtp_server)
    assert mail["To"] == EMAIL
    assert "two-factor authentication was changed" in mail["Subject"]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/staff/login$"))

    # With htmx: the password, then the code page.
    password_step(page, live_server)
    page.wait_for_url(re.compile(r"/staff/login/two-factor$"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    assert page.get_by_label("Code from your app").evaluate(
        "el => el === document.activeElement"
    )
    # The code just used for enrolment is refused as a replay, in place.
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).at(clock.now))
    settled_after(page, lambda: page.get_by_role("button", name="Sign in").click())
    assert "already been used" in page.locator("#code-error").inner_text()
    assert page.url.endswith("/staff/login/two-factor")
    # The recovery field is behind a disclosure.
    assert not page.get_by_label("Recovery code").is_visible()
    page.get_by_text("Use a recovery code instead").click()
    assert page.get_by_label("Recovery code").is_visible()
    clock.next_step()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).at(clock.now))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert "Signed in as Ed Editor" in page.locator("#alerts").inner_text()

    # Without JavaScript: plain POSTs, the same steps.
    clock.next_step()
    password_step(nojs_page, live_server)
    nojs_page.wait_for_url(re.compile(r"/staff/login/two-factor$"))
    nojs_page.get_by_label("Code from your app").fill("000000")
    nojs_page.get_by_role("button", name="Sign in").click()
    assert "not right" in nojs_page.locator("#code-error").inner_text()
    nojs_page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).at(clock.now))
    nojs_page.get_by_role("button", name="Sign in").click()
    nojs_page.wait_for_url(re.compile(r"/staff/$"))
    assert nojs_page.locator("h1").inner_text() == "Dashboard"


def test_sign_out_one_session_in_place(live_server, page, nojs_page):
    with live_server.app.app_context():
        make_user(email=EMAIL, display_name="Ed Editor")
    password_step(nojs_page, live_server)
    nojs_page.wait_for_url(re.compile(r"/staff/$"))
    password_step(page, live_server)
    page.wait_for_url(re.compile(r"/staff/$"))
    page.goto(live_server("/staff/password"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    page.evaluate("window.__stayed = true")
    button = rows.get_by_role("button", name=re.compile("^Sign out Chrome on Linux"))
    button.click()
    expect(rows).to_have_count(1)
    assert page.evaluate("document.activeElement.id") == "sessions"
    assert page.evaluate("window.__stayed === true")
    nojs_page.goto(live_server("/staff/"))
    assert "/staff/login" in nojs_page.url
