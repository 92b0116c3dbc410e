"""Images in the article editor: button, drop and paste upload with htmx, Markdown at the cursor."""

import base64

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Media
from models import Role
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import wait_for_htmx
from tests.browser.test_staff import sign_in
from tests.support.factories import make_user
from tests.support.images import image_bytes

BODY = "textarea[name='body']"


def open_editor(live_server, page):
    with live_server.app.app_context():
        make_user(email="staff@example.com", role=Role.EDITOR, display_name="Sam")
    sign_in(page, live_server)
    page.goto(live_server("/staff/articles/new"))
    wait_for_htmx(page)
    page.evaluate(
        "window.folioProgress = 0; document.addEventListener('htmx:xhr:progress',"
        " () => { window.folioProgress += 1; })"
    )


def body_value(page) -> str:
    return page.locator(BODY).input_value()


def uploaded_rows(page, count: int) -> None:
    """Wait until count rows have arrived and their Markdown took the placeholders'."""
    rows = "document.querySelectorAll('.editor-upload[data-markdown]').length"
    body = "document.querySelector(\"textarea[name='body']\").value"
    poll(page, f"{rows} >= {count} && !{body}.includes('#upload-')")


def test_add_images_button_uploads_several_at_once_at_the_cursor(
    live_server, page, tmp_path
):
    open_editor(live_server, page)
    page.locator(BODY).fill("First paragraph.\n\nLast paragraph.")
    page.locator(BODY).evaluate("el => el.setSelectionRange(16, 16)")
    first, second = tmp_path / "one.jpg", tmp_path / "two.png"
    first.write_bytes(image_bytes("JPEG", (900, 600)))
    second.write_bytes(image_bytes("PNG", (640, 480), colour=(10, 120, 60)))
    page.locator("[data-upload-input]").set_input_files([first, second])
    uploaded_rows(page, 2)
    value = body_value(page)
    assert value.startswith("First paragraph.\n\n![](/media/")
    assert value.endswith("Last paragraph.")
    assert value.count("](/media/") == 2
    assert "Uploading" not in value
    assert page.evaluate("window.folioProgress") >= 1
    with live_server.app.app_context():
        assert len(db.session.scalars(select(Media)).all()) == 2
    expect(page.locator("#preview picture")).to_have_count(2)
    expect(page.locator("#preview .alt-warning")).to_contain_text(
        "2 images without alt text"
    )


def test_alt_text_typed_in_the_row_goes_into_the_markdown_and_the_library(
    live_server, page, tmp_path
):
    open_editor(live_server, page)
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(image_bytes("JPEG", (800, 500)))
    page.locator("[data-upload-input]").set_input_files(photo)
    uploaded_rows(page, 1)
    media_id = page.locator(".editor-upload").get_attribute("data-media-id")
    alt = page.get_by_label("Alt text")
    alt.fill("Boats in the [old] harbour")
    assert f"![Boats in the \\[old\\] harbour](/media/{media_id})" in body_value(page)
    page.evaluate(
        "window.folioSaved = 0; document.addEventListener('htmx:afterRequest',"
        " e => { if (e.detail.elt.matches('[data-alt-for]')) window.folioSaved += 1 })"
    )
    alt.press("Tab")
    poll(page, "window.folioSaved > 0")
    with live_server.app.app_context():
        assert db.session.get(Media, int(media_id)).alt == "Boats in the [old] harbour"
    expect(page.locator("#preview img")).to_have_attribute(
        "alt", "Boats in the [old] harbour"
    )
    expect(page.locator("#preview .alt-warning")).to_have_count(0)
    assert_no_axe_violations(page)


def drop_or_paste(page, event: str, name: str, data: bytes, mime: str) -> None:
    page.locator(BODY).evaluate(
        """(el, [kind, name, data, mime]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: mime}));
            const init = {bubbles: true, cancelable: true};
            const e = kind === 'paste'
                ? new ClipboardEvent('paste', {...init, clipboardData: transfer})
                : new DragEvent('drop', {...init, dataTransfer: transfer});
            el.dispatchEvent(e);
        }""",
        [event, name, base64.b64encode(data).decode(), mime],
    )


@pytest.mark.parametrize("event", ["drop", "paste"])
def test_drop_and_paste_upload(live_server, page, event):
    open_editor(live_server, page)
    page.locator(BODY).fill("Text before.")
    page.locator(BODY).evaluate("el => el.setSelectionRange(12, 12)")
    drop_or_paste(page, event, "image.png", image_bytes("PNG", (500, 300)), "image/png")
    uploaded_rows(page, 1)
    assert body_value(page).startswith("Text before.\n\n![](/media/")
    expect(page.locator("#preview picture")).to_have_count(1)


@pytest.mark.allow_console_errors("status of 422")
def test_a_refused_file_shows_why_and_leaves_no_placeholder(live_server, page):
    open_editor(live_server, page)
    page.locator(BODY).fill("Words.")
    drop_or_paste(
        page, "drop", "notes.png", b"just some text, not a picture", "image/png"
    )
    expect(page.locator(".editor-upload.is-refused")).to_contain_text("not an image")
    poll(
        page,
        "!document.querySelector(\"textarea[name='body']\").value.includes('Uploading')",
    )
    assert body_value(page).strip() == "Words."
    with live_server.app.app_context():
        assert db.session.scalars(select(Media)).all() == []


def test_without_javascript_the_editor_points_to_the_library(live_server, nojs_page):
    with live_server.app.app_context():
        make_user(email="staff@example.com", role=Role.EDITOR, display_name="Sam")
    sign_in(nojs_page, live_server)
    nojs_page.goto(live_server("/staff/articles/new"))
    note = nojs_page.locator("[data-no-js]")
    expect(note).to_be_visible()
    expect(note.get_by_role("link", name="media library")).to_have_attribute(
        "href", "/staff/media"
    )
    expect(nojs_page.locator("[data-upload-button]")).to_be_hidden()


def test_with_a_worker_thread_the_row_and_preview_follow_when_ready(
    make_live_server, page, tmp_path
):
    server = make_live_server(MEDIA_WORKERS=1)
    open_editor(server, page)
    photo = tmp_path / "big.jpg"
    photo.write_bytes(image_bytes("JPEG", (2400, 1600)))
    page.locator("[data-upload-input]").set_input_files(photo)
    uploaded_rows(page, 1)
    poll(page, "!!document.querySelector('.editor-upload[data-ready] picture')", 60)
    expect(page.locator("#preview picture")).to_have_count(1, timeout=15_000)
    assert body_value(page).count("](/media/") == 1
