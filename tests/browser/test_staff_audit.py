"""The audit log in a real browser: filters swap the list in place, or reload without
JavaScript; axe on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models import Role
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_user


def sign_in(page, server, email="boss@example.com", password=PASSWORD) -> None:
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def seed(app) -> None:
    with app.app_context():
        make_user(email="boss@example.com", role=Role.ADMIN, display_name="Bo Boss")


@pytest.mark.allow_console_errors("status of 422")  # the refused sign-in
def test_filter_swaps_the_list_in_place(live_server, page):
    seed(live_server.app)
    # A refused sign-in first, then the admin's own.
    sign_in(page, live_server, password="not the right one")
    sign_in(page, live_server)
    page.wait_for_url("**/staff/")
    page.goto(live_server("/staff/audit"))
    wait_for_htmx(page)
    rows = page.locator("#audit-list tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("window.__stayed = true")
    settled_after(
        page,
        lambda: page.get_by_label("Event").select_option("sign-in-failed"),
        source="#audit-list, form.filter-bar",
    )
    assert page.evaluate("window.__stayed === true")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("wrong password")
    assert "action=sign-in-failed" in page.url
    assert_no_axe_violations(page)


@pytest.mark.allow_console_errors("status of 422")  # the refused sign-in
def test_filter_without_javascript_reloads_the_page(live_server, nojs_page):
    seed(live_server.app)
    page = nojs_page
    sign_in(page, live_server, password="not the right one")
    sign_in(page, live_server)
    page.wait_for_url("**/staff/")
    page.goto(live_server("/staff/audit"))
    page.get_by_label("Event").select_option("sign-in")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "action=sign-in" in page.url
    rows = page.locator("#audit-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Signed in")
