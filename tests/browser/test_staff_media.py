"""The media library in a real browser: uploads with htmx and without, the filters,
an image's words, the cover picker, and axe on the pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Article
from models import Media
from models import Role
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes


def seed(app) -> dict[str, int]:
    """An editor, two images (a large one shown by an article), and that article."""
    with app.app_context():
        make_user(email="staff@example.com", role=Role.EDITOR, display_name="Sam Staff")
    large = add_media(app, image_bytes(size=(2400, 1600)), "mountains.jpg", "Mountains")
    small = add_media(app, image_bytes("PNG", (640, 480), (200, 60, 60)), "red.png", "")
    with app.app_context():
        article_id = make_article(
            title="A walk", body=f"Text.\n\n![](/media/{large.id})\n"
        ).id
    return {"large": large.id, "small": small.id, "article": article_id}


def sign_in(page, server) -> None:
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def mark_page(page) -> None:
    """Tag the window so a later check can tell that no navigation happened."""
    page.evaluate("window.__stayed = true")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed === true")


def png_file(name: str, colour=(20, 120, 200)) -> dict:
    return {
        "name": name,
        "mimeType": "image/png",
        "buffer": image_bytes("PNG", (320, 240), colour),
    }


def test_upload_with_htmx_adds_the_card_in_place(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/media"))
    wait_for_htmx(page)
    mark_page(page)
    assert page.locator("#media-grid > li.media-card").count() == 2
    page.set_input_files("#file", files=[png_file("harbour.png")])
    page.get_by_label("Alt text").fill("Boats in the harbour")
    settled_after(page, lambda: page.get_by_role("button", name="Upload").click())
    assert stayed(page)
    first = page.locator("#media-grid > li.media-card").first
    expect(first).to_contain_text("harbour.png")
    expect(first).to_have_attribute("data-markdown", _markdown_of(live_server.app))
    assert page.locator("#media-grid > li.media-card").count() == 3
    expect(page.locator("#alerts")).to_contain_text("Added “harbour.png”")
    # The form is empty again, ready for the next upload.
    assert page.eval_on_selector("#file", "input => input.files.length") == 0
    assert page.get_by_label("Alt text").input_value() == ""
    # The same file again: one card, moved to the top, not a second copy.
    page.set_input_files("#file", files=[png_file("again.png")])
    settled_after(page, lambda: page.get_by_role("button", name="Upload").click())
    assert page.locator("#media-grid > li.media-card").count() == 3
    expect(page.locator("#alerts")).to_contain_text("already in the library")


def _markdown_of(app) -> str:
    with app.app_context():
        media = db.session.scalar(select(Media).where(Media.filename == "harbour.png"))
        return f"![Boats in the harbour](/media/{media.id})"


def test_a_drop_on_the_zone_chooses_the_files(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/media"))
    wait_for_htmx(page)
    mark_page(page)
    data = list(image_bytes("PNG", (100, 80), (1, 200, 1)))
    page.evaluate(
        """(bytes) => {
          const zone = document.querySelector("[data-dropzone] .media-drop-title");
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], "dropped.png",
                                      {type: "image/png"}));
          for (const type of ["dragenter", "dragover", "drop"]) {
            zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true,
                                                    dataTransfer: transfer}));
          }
        }""",
        data,
    )
    assert page.eval_on_selector("#file", "input => input.files[0].name") == (
        "dropped.png"
    )
    settled_after(page, lambda: page.get_by_role("button", name="Upload").click())
    assert stayed(page)
    expect(page.locator("#media-grid > li.media-card").first).to_contain_text(
        "dropped.png"
    )


@pytest.mark.allow_console_errors("status of 422")  # the refused upload
def test_refused_upload_with_htmx_shows_the_problem(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/media"))
    wait_for_htmx(page)
    mark_page(page)
    page.set_input_files(
        "#file",
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not one"}],
    )
    settled_after(page, lambda: page.get_by_role("button", name="Upload").click())
    assert stayed(page)
    status = page.locator("#media-upload-status")
    expect(status).to_have_attribute("role", "alert")
    expect(status).to_contain_text("Nothing was uploaded.")
    expect(status).to_contain_text("not an image Folio can read")
    # Focus went to the field with the problem, not to the page.
    assert page.evaluate("document.activeElement.id") == "file"
    assert page.locator("#media-grid > li.media-card").count() == 2


def test_upload_without_javascript_redirects(live_server, make_context):
    seed(live_server.app)
    page = make_context(java_script_enabled=False).new_page()
    sign_in(page, live_server)
    page.goto(live_server("/staff/media"))
    page.set_input_files("#file", files=[png_file("plain.png", (90, 90, 20))])
    page.get_by_label("Alt text").fill("A plain upload")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    with live_server.app.app_context():
        media_id = db.session.scalar(
            select(Media.id).where(Media.filename == "plain.png")
        )
    assert page.url == live_server(f"/staff/media/{media_id}")
    expect(page.locator("h1")).to_have_text("plain.png")
    expect(page.locator("#alerts")).to_contain_text("Added “plain.png”")
    # Several files: back to the library, which lists them.
    page.goto(live_server("/staff/media"))
    page.set_input_files(
        "#file", files=[png_file("one.png", (1, 1, 1)), png_file("two.png", (2, 2, 2))]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    assert page.url == live_server("/staff/media")
    expect(page.locator("#alerts")).to_contain_text("Added 2 images")
    assert page.locator("#media-grid > li.media-card").count() == 5


def test_filters_swap_the_results_in_place(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/media"))
    wait_for_htmx(page)
    mark_page(page)
    settled_after(page, lambda: page.get_by_label("Size").select_option("large"))
    assert stayed(page)
    assert page.locator("#media-grid > li.media-card").count() == 1
    expect(page.locator("#media-grid")).to_contain_text("mountains.jpg")
    assert "size=large" in page.url
    settled_after(page, lambda: page.get_by_label("Search images").fill("red"))
    expect(page.locator(".media-count")).to_contain_text("0 images match")
    expect(page.locator(".media-empty")).to_be_visible()


def test_words_saved_in_place_and_axe(live_server, page):
    ids = seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/media"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    page.goto(live_server(f"/staff/media/{ids['large']}"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    mark_page(page)
    page.locator("#alt").fill("Snowy mountains at dawn")
    settled_after(page, lambda: page.get_by_role("button", name="Save").click())
    assert stayed(page)
    expect(page.locator("#media-describe-status")).to_contain_text(
        "Saved. 1 article shows the new words."
    )
    # The Save button was swapped out with its form: focus is on the news.
    assert page.evaluate("document.activeElement.id") == "media-describe-status"
    with live_server.app.app_context():
        article = db.session.get(Article, ids["article"])
        assert 'alt="Snowy mountains at dawn"' in article.body_html
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)


def test_cover_picker_sets_the_cover_in_place(live_server, page):
    ids = seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server(f"/staff/media/picker?article_id={ids['article']}"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    mark_page(page)
    expect(page.locator("#cover-field")).to_contain_text("No cover image")
    settled_after(
        page,
        lambda: page.locator(f"#pick-{ids['small']}").get_by_role("button").click(),
    )
    assert stayed(page)
    expect(page.locator("#cover-field")).to_contain_text("Cover image set.")
    expect(page.locator("#cover-field")).to_contain_text("red.png")
    assert_no_axe_violations(page)  # a cover without alt text is still named
    settled_after(page, lambda: page.get_by_role("button", name="Remove").click())
    expect(page.locator("#cover-field")).to_contain_text("Cover removed.")
    assert page.evaluate("document.activeElement.className") == "cover-field-status"
    with live_server.app.app_context():
        assert db.session.get(Article, ids["article"]).cover_id is None
