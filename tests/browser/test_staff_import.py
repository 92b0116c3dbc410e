"""The import pages in a real browser: upload, the progress swapped for the report
in place by htmx's polling, the same without JavaScript by the Refresh link; axe."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from porting import import_runs
from porting.import_runs import import_worker
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import wait_for_htmx
from tests.browser.test_staff_audit import seed
from tests.browser.test_staff_audit import sign_in
from tests.support import wxr_builder as wxr

SITE = wxr.document(
    wxr.author("ann", "boss@example.com", "Ann"),
    wxr.item(1, "First post", "<p>One</p>", creator="ann",
             comments=(wxr.comment(11, "Nice"),)),
    wxr.item(2, "About", "<p>Us</p>", post_type="page", slug="about-us"),
)  # fmt: skip


@pytest.fixture
def gate(monkeypatch):
    """The real importer, held at "0 of 2 items" until gate.set()."""
    opened = threading.Event()
    real = import_runs.import_wordpress

    def held(path, options, progress=None):
        progress(0, 2)
        opened.wait(20)
        return real(path, options, progress)

    monkeypatch.setattr(import_runs, "import_wordpress", held)
    yield opened
    opened.set()


def _upload(page, server) -> None:
    """Sign in, open the import page and upload SITE."""
    seed(server.app)
    sign_in(page, server)
    page.wait_for_url("**/staff/")
    page.goto(server("/staff/import"))
    page.get_by_label("WordPress export file").set_input_files(
        files=[{"name": "site.xml", "mimeType": "text/xml", "buffer": SITE}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and import").click()


def _finished(server) -> None:
    with server.app.app_context():
        assert import_worker().wait(30)


def test_progress_swaps_to_the_report_in_place(live_server, page, gate):
    _upload(page, live_server)
    page.wait_for_url("**/staff/import/1")
    wait_for_htmx(page)
    status = page.locator("#import-status")
    expect(status).to_have_text("0 of 2 items")
    expect(page.locator("progress.import-bar")).to_have_attribute("max", "2")
    assert_no_axe_violations(page)
    # The fragment replaces itself (outerHTML), so an event listener on it
    # may go with the old node: compare the nodes instead.
    page.evaluate(
        """() => {
            window.folioStayed = true;
            window.folioOld = document.getElementById('import-progress');
        }"""
    )
    gate.set()
    _finished(live_server)
    poll(page, "document.querySelector('#import-status').textContent"
               ".includes('Import finished')")  # fmt: skip
    assert page.evaluate(
        "window.folioStayed === true"
        " && document.getElementById('import-progress') !== window.folioOld"
    )
    expect(status).to_have_text("Import finished. 2 items read.")
    expect(status).to_be_focused()
    expect(page.locator("#import-progress")).not_to_have_attribute(
        "hx-trigger", "every 1s"
    )
    expect(page.locator(".import-counts")).to_contain_text("article")
    assert_no_axe_violations(page)


def test_import_page_passes_axe(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.wait_for_url("**/staff/")
    page.goto(live_server("/staff/import"))
    expect(page.get_by_role("heading", name="Import", exact=True)).to_be_visible()
    assert_no_axe_violations(page)


def test_without_javascript_the_refresh_link_shows_the_report(
    live_server, nojs_page, gate
):
    page = nojs_page
    _upload(page, live_server)
    assert page.url.endswith("/staff/import/1")
    # Queued or at 0 of 2, whichever the page caught; no report yet.
    expect(page.locator("#import-status")).not_to_contain_text("finished")
    expect(page.locator("progress.import-bar")).to_have_count(1)
    gate.set()
    _finished(live_server)
    with page.expect_navigation():
        page.get_by_role("link", name="Refresh").click()
    expect(page.locator("#import-status")).to_have_text(
        "Import finished. 2 items read."
    )
    expect(page.get_by_role("link", name="Refresh")).to_have_count(0)
