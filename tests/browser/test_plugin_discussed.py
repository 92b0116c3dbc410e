"""The Most discussed plugin in a real browser: the count under an article
arrives through htmx (lazily, the page itself cached), the staff recount
swaps the table in place, and axe finds nothing on the public page."""

from __future__ import annotations

from models import Role
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user

# Counts htmx's swaps from the first script on (the count loads on page load).
COUNT_SWAPS = """
window.folioSwaps = 0;
document.addEventListener('htmx:afterSwap', () => { window.folioSwaps += 1; });
"""


def seed(app) -> None:
    with app.app_context():
        make_user(email="admin@example.com", role=Role.ADMIN)
        article = make_article("Hello", slug="hello")
        make_comment(article)
        make_comment(article)


def test_article_count_loads_lazily_through_htmx(make_live_server, page):
    server = make_live_server(PLUGINS=["discussed"])
    seed(server.app)
    # Recounted by the staff button below; here the receivers have not run.
    with server.app.app_context():
        from folio_discussed.activity import recount

        from plugins.api import write_transaction

        with write_transaction():
            recount()
    page.add_init_script(COUNT_SWAPS)
    page.goto(server("/articles/hello"))
    footer = page.locator("#discussed-footer")
    footer.scroll_into_view_if_needed()
    poll(page, "window.folioSwaps > 0")
    assert page.locator("#discussed-count").inner_text() == (
        "2 comments in the last 30 days."
    )
    assert footer.get_by_role("link", name="See the most discussed articles").count()
    page.get_by_role("link", name="See the most discussed articles").click()
    page.wait_for_url("**/discussed")
    assert page.get_by_role("link", name="Hello").count() == 1
    assert_no_axe_violations(page)


def test_staff_recount_swaps_the_table(make_live_server, page):
    server = make_live_server(PLUGINS=["discussed"])
    seed(server.app)
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    page.get_by_role("link", name="Most discussed").first.click()
    page.wait_for_url("**/staff/discussed")
    wait_for_htmx(page)
    assert "No approved comments" in page.locator("#discussed-table").inner_text()
    page.evaluate("window.__stayed = true")
    button = page.get_by_role("button", name="Recount from comments")
    settled_after(page, button.click)
    assert page.evaluate("window.__stayed === true")
    assert page.locator("#discussed-status").inner_text() == (
        "Recounted from the approved comments."
    )
    assert page.locator("#discussed-table tbody tr").count() == 1
    assert_no_axe_violations(page)
