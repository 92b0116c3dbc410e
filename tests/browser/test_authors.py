"""Profiles and the editor's "Search & social" box in a real browser, and the author page.

htmx swaps in place (no navigation), focus after the swap, the same forms
without JavaScript, and axe on the author page, the profile page and the box.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models import Role
from models import User
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes

EMAIL = "writer@example.com"


def seed(app) -> dict:
    """An editor with a bio, an avatar and two published articles, and an image."""
    avatar = add_media(app, image_bytes("PNG", (400, 400), (90, 140, 200)), "me.png")
    with app.app_context():
        user = make_user(
            email=EMAIL,
            role=Role.EDITOR,
            display_name="Wren Writer",
            bio="Writes *about* birds.",
            bio_html="<p>Writes <em>about</em> birds.</p>",
            website="https://wren.example/",
            avatar_id=avatar.id,
        )
        first = make_article(title="On wrens", slug="on-wrens", author=user)
        make_article(title="On robins", slug="on-robins", author=user)
        return {"user": user.id, "slug": user.slug, "article": first.id}


def sign_in(page, server) -> None:
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def mark_page(page) -> None:
    page.evaluate("window.__stayed = true")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed === true")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_author_page_in_the_browser(live_server, page, scheme):
    ids = seed(live_server.app)
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server("/articles/on-wrens"))
    page.get_by_role("link", name="Wren Writer").first.click()
    page.wait_for_url(f"**/authors/{ids['slug']}")
    wait_for_htmx(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Wren Writer")
    expect(page.locator(".author-bio")).to_contain_text("Writes about birds.")
    expect(page.locator(".author-header img.avatar-photo")).to_be_visible()
    expect(page.get_by_role("link", name="wren.example")).to_have_attribute(
        "rel", "me noopener"
    )
    assert EMAIL not in page.content()
    assert page.locator("#article-list .card").count() == 2
    assert_no_axe_violations(page)


def test_a_cards_author_link_is_its_own_target(live_server, page):
    ids = seed(live_server.app)
    page.goto(live_server("/"))
    page.locator("#article-list .byline-author").first.click()
    page.wait_for_url(f"**/authors/{ids['slug']}")


@pytest.mark.allow_console_errors("status of 422")
def test_profile_form_with_htmx(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.get_by_role("link", name="Your profile").click()
    page.wait_for_url("**/staff/profile")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    mark_page(page)
    page.get_by_label("Website").fill("javascript:alert(1)")
    page.get_by_label("Page address").fill("feed")
    settled_after(page, lambda: page.get_by_role("button", name="Save profile").click())
    assert stayed(page)
    expect(page.locator("#slug-error")).to_contain_text("kept for the site")
    expect(page.locator("#website-error")).to_contain_text("https://")
    # Focus lands on the first field with a problem.
    assert page.evaluate("document.activeElement.id") == "slug"
    assert_no_axe_violations(page)
    page.get_by_label("Page address").fill("wren")
    page.get_by_label("Website").fill("https://birds.example/")
    page.get_by_label("Bio", exact=True).fill("Now writes about *owls*.")
    settled_after(page, lambda: page.get_by_role("button", name="Save profile").click())
    assert stayed(page)
    expect(page.locator("#profile-form .save-status")).to_have_text("Saved.")
    assert page.evaluate("document.activeElement.className") == "save-status"
    with live_server.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == EMAIL))
        assert (user.slug, user.website) == ("wren", "https://birds.example/")
        assert user.bio_html == "<p>Now writes about <em>owls</em>.</p>\n"
    page.goto(live_server("/authors/wren"))
    expect(page.locator(".author-bio")).to_contain_text("Now writes about owls.")


@pytest.mark.allow_console_errors("status of 422")
def test_profile_form_without_javascript(live_server, nojs_page):
    seed(live_server.app)
    page = nojs_page
    sign_in(page, live_server)
    page.goto(live_server("/staff/profile"))
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#display_name-error")).to_contain_text(
        "Enter the name readers see."
    )
    page.get_by_label("Name", exact=True).fill("Wren Renamed")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/staff/profile")
    expect(page.locator("#alerts")).to_contain_text("Saved the profile.")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Wren Renamed")


def test_avatar_is_removed_in_place(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/profile"))
    wait_for_htmx(page)
    mark_page(page)
    expect(page.locator("#avatar-field")).to_contain_text("me.png")
    settled_after(page, lambda: page.get_by_role("button", name="Remove").click())
    assert stayed(page)
    expect(page.locator("#avatar-field")).to_contain_text("Avatar removed.")
    assert page.evaluate("document.activeElement.className") == "cover-field-status"


def test_search_and_social_box(live_server, page):
    ids = seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server(f"/staff/articles/{ids['article']}/edit"))
    wait_for_htmx(page)
    box = page.locator("#seo-box")
    expect(box).not_to_have_attribute("open", "")
    page.get_by_text("Search & social").click()
    expect(page.get_by_label("Heading in search results")).to_be_visible()
    expect(page.locator("#seo-preview .seo-result-title")).to_have_text(
        "On wrens · Folio"
    )
    assert_no_axe_violations(page, "#seo-box")
    mark_page(page)
    settled_after(
        page, lambda: page.get_by_label("Heading in search results").fill("x" * 70)
    )
    assert stayed(page)
    expect(page.locator("#seo-preview .seo-result-title")).to_have_text(
        "x" * 70 + " · Folio"
    )
    expect(page.locator("#seo-preview")).to_contain_text(
        "more than the about 60 results show"
    )
    # Typing goes on in the field: the preview's swap leaves it alone.
    assert page.evaluate("document.activeElement.id") == "meta_title"
    page.get_by_label("Heading in search results").fill("Wrens, found")
    page.get_by_label("Hide from search engines").check()
    settled_after(page, lambda: page.get_by_role("button", name="Save").click())
    expect(page.locator("#save-status")).to_contain_text("Saved")
    expect(page.locator("#seo-box")).to_have_attribute("open", "")
    expect(page.get_by_label("Hide from search engines")).to_be_checked()
    reader = page.context.new_page()
    reader.goto(live_server("/articles/on-wrens"))
    assert reader.title() == "Wrens, found · Folio"
    assert reader.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    reader.close()


@pytest.mark.allow_console_errors("status of 422")
def test_search_and_social_box_without_javascript(live_server, nojs_page):
    ids = seed(live_server.app)
    page = nojs_page
    sign_in(page, live_server)
    page.goto(live_server(f"/staff/articles/{ids['article']}/edit"))
    page.get_by_text("Search & social").click()
    page.get_by_label("Canonical address").fill("not an address")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#canonical_url-error")).to_contain_text("https://")
    expect(page.locator("#seo-box")).to_have_attribute("open", "")
    page.get_by_label("Canonical address").fill("https://first.example/wrens")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/staff/articles/{ids['article']}/edit")
    expect(page.locator("#seo-preview .seo-result-url")).to_have_text(
        "https://first.example/wrens"
    )
