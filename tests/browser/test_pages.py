"""Pages in a real browser: the page editor with htmx and without JavaScript,
the privacy page from its template, and the public page (axe, light and dark)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models import Role
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_menu_item
from tests.support.factories import make_page
from tests.support.factories import make_user


def sign_in(page, server) -> None:
    with server.app.app_context():
        make_user(email="editor@example.com", role=Role.EDITOR)
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def test_write_and_publish_a_page_with_htmx(live_server, page):
    sign_in(page, live_server)
    page.get_by_role("link", name="Pages").click()
    page.get_by_role("link", name="New page").first.click()
    wait_for_htmx(page)
    page.evaluate("window.__stayed = true")
    for absent in ("Summary", "Tags", "Publication time (UTC)"):
        assert page.get_by_label(absent).count() == 0, absent
    page.get_by_label("Title").fill("About us")
    page.get_by_label("Body (Markdown)").press_sequentially("## Who we are\n\nA team.")
    expect(page.locator("#preview h2")).to_have_text("Who we are")
    page.get_by_label("Status").select_option("published")
    settled_after(page, lambda: page.get_by_role("button", name="Save").click())
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert page.evaluate("window.__stayed === true")
    assert "/staff/pages/" in page.url and page.url.endswith("/edit")
    expect(page.locator("#editor-header h1")).to_have_text("About us")
    expect(page.locator("#editor-header .eyebrow")).to_contain_text("Edit page")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="View it on the site").click()
    page.wait_for_url("**/about-us")
    expect(page.locator("h1")).to_have_text("About us")
    assert page.locator(".byline").count() == 0


@pytest.mark.allow_console_errors("status of 422")  # the refused slug
def test_a_slug_the_site_uses_is_refused_inline(live_server, page):
    sign_in(page, live_server)
    page.goto(live_server("/staff/pages/new"))
    wait_for_htmx(page)
    page.get_by_label("Title").fill("Find things")
    page.get_by_label("Slug").fill("search")
    settled_after(page, lambda: page.get_by_role("button", name="Save").click())
    expect(page.locator("#slug-error")).to_contain_text("The site uses /search")
    assert page.evaluate("document.activeElement.id") == "slug"
    assert_no_axe_violations(page)


def test_privacy_page_and_editor_without_javascript(live_server, nojs_page):
    sign_in(nojs_page, live_server)
    nojs_page.goto(live_server("/staff/pages"))
    nojs_page.get_by_role(
        "button", name="Create the privacy page from the template"
    ).click()
    nojs_page.wait_for_url("**/staff/pages/*/edit")
    expect(nojs_page.locator("#alerts")).to_contain_text("as a draft")
    expect(nojs_page.get_by_label("Title")).to_have_value("Privacy")
    nojs_page.get_by_label("Status").select_option("published")
    nojs_page.get_by_role("button", name="Save").click()
    nojs_page.wait_for_url("**/edit")
    expect(nojs_page.locator("#alerts")).to_contain_text("Saved “Privacy”")
    nojs_page.goto(live_server("/privacy"))
    expect(nojs_page.locator("h1")).to_have_text("Privacy")
    expect(nojs_page.locator(".prose")).to_contain_text("folio_commenter")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_page_with_comments_has_no_axe_violations(live_server, page, scheme):
    with live_server.app.app_context():
        about = make_page(
            "About us",
            slug="about",
            body="## Who we are\n\nA team.\n\n## Where\n\nHere.\n\n## Why\n\nBecause.",
            comments_open=True,
        )
        make_menu_item(article=about)
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server("/about"))
    wait_for_htmx(page)
    expect(page.locator("#comments")).to_be_visible()
    expect(page.locator(".site-nav a[aria-current=page]")).to_have_text("About us")
    assert_no_axe_violations(page)
