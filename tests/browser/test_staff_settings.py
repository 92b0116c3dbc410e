"""The settings page in a real browser: an htmx save (errors inline, then saved, focus on
the status), the same without JavaScript, a logo chosen from the library, the test mail;
axe on the pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from models import Role
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.browser.test_staff_audit import sign_in
from tests.support.factories import make_user
from tests.support.images import add_media


def _admin(app) -> None:
    with app.app_context():
        make_user(email="boss@example.com", role=Role.ADMIN, display_name="Bo Boss")


def _open_settings(page, server) -> None:
    sign_in(page, server)
    page.wait_for_url("**/staff/")
    page.goto(server("/staff/settings"))


@pytest.mark.allow_console_errors("status of 422")  # the refused colour
def test_htmx_save_shows_errors_inline_then_saves(live_server, page):
    _admin(live_server.app)
    _open_settings(page, live_server)
    wait_for_htmx(page)
    page.evaluate("window.__stayed = true")
    page.get_by_label("Site title").fill("Acme notes")
    page.get_by_label("Accent colour").fill("#ffee00")
    save = page.get_by_role("button", name="Save settings")
    settled_after(page, save.click, source="#settings-form")
    status = page.locator("#settings-status")
    expect(status).to_contain_text("Not saved")
    expect(page.locator("#accent_colour-error")).to_contain_text("choose a darker")
    colour = page.get_by_label("Accent colour")
    expect(colour).to_have_attribute("aria-invalid", "true")
    expect(colour).to_be_focused()  # the first invalid field (folio.js)
    assert live_server.app.config["SITE_TITLE"] == "Folio"
    page.get_by_label("Accent colour").fill("#1d5c80")
    settled_after(page, save.click, source="#settings-form")
    expect(status).to_have_text("Settings saved.")
    expect(status).to_be_focused()
    assert page.evaluate("window.__stayed === true")
    assert live_server.app.config["SITE_TITLE"] == "Acme notes"
    assert_no_axe_violations(page)
    page.goto(live_server("/"))
    expect(page.locator(".site-title")).to_have_text("Acme notes")
    accent = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent')"
    )
    assert accent.strip() == "#1d5c80"


@pytest.mark.allow_console_errors("status of 422")  # the number out of bounds
def test_save_without_javascript(live_server, nojs_page):
    _admin(live_server.app)
    page = nojs_page
    _open_settings(page, live_server)
    page.get_by_label("Footer text").fill("Written by *us*.")
    page.get_by_label("Comments per page").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-status")).to_contain_text("Not saved")
    expect(page.locator("#comments_per_page-error")).to_have_text(
        "Enter a number from 5 to 500."
    )
    page.get_by_label("Comments per page").fill("20")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    assert page.url.endswith("/staff/settings")
    expect(page.locator(".alert-success")).to_have_text("Settings saved.")
    page.goto(live_server("/"))
    expect(page.locator(".footer-text")).to_have_text("Written by us.")


def test_choose_a_logo_from_the_library(live_server, page):
    _admin(live_server.app)
    add_media(live_server.app, filename="mark.jpg", alt="Our mark")
    _open_settings(page, live_server)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Choose a logo").click()
    page.wait_for_url("**/staff/media/picker?use=logo*")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    use = page.locator(".picker-item", has_text="mark.jpg").get_by_role(
        "button", name=re.compile("^Use as logo")
    )
    settled_after(page, use.click, source="#media-picker form")
    status = page.locator("#logo-field .cover-field-status")
    expect(status).to_have_text("Logo set.")
    expect(status).to_be_focused()
    expect(page.locator("#logo-field")).to_contain_text("mark.jpg")
    page.get_by_role("link", name="Back to the settings").click()
    expect(page.locator("#images #logo-field")).to_contain_text("mark.jpg")
    page.goto(live_server("/"))
    logo = page.locator(".site-title img.site-logo")
    expect(logo).to_have_attribute("alt", "")
    assert page.evaluate("document.querySelector('.site-logo').naturalWidth > 0"), (
        "the logo's file loads"
    )


def test_choose_a_logo_without_javascript(live_server, nojs_page):
    _admin(live_server.app)
    add_media(live_server.app, filename="mark.jpg", alt="Our mark")
    page = nojs_page
    _open_settings(page, live_server)
    page.get_by_role("link", name="Choose a logo").click()
    with page.expect_navigation():
        page.locator(".picker-item", has_text="mark.jpg").get_by_role(
            "button", name=re.compile("^Use as logo")
        ).click()
    assert page.url.endswith("/staff/settings#images")
    expect(page.locator(".alert-success")).to_have_text("Logo set.")
    with page.expect_navigation():
        page.locator("#logo-field").get_by_role(
            "button", name="Remove the logo"
        ).click()
    expect(page.locator(".alert-success")).to_have_text("Logo removed.")
    expect(page.locator("#logo-field")).to_contain_text("No logo")


def test_test_mail_reports_in_place(live_server, page):
    _admin(live_server.app)
    _open_settings(page, live_server)
    wait_for_htmx(page)
    button = page.get_by_role("button", name="Send a test mail")
    settled_after(page, button.click, source="#test-mail form")
    status = page.locator("#test-mail-status")
    expect(status).to_contain_text("No mail server is set")
    expect(status).to_be_focused()
