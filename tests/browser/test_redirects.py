"""The redirects page in a real browser: add, edit and delete with htmx, the
focus and the live region, the same without JavaScript, axe; a 301 followed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import CommentKind
from models import Redirect
from models import Role
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user


def seed(app) -> int:
    """An admin, an article with a pingback, and one redirect to it; its id."""
    with app.app_context():
        make_user(email="admin@example.com", role=Role.ADMIN)
        article = make_article("Hello", slug="hello")
        make_comment(article, author_name="A reader")
        make_comment(
            article,
            kind=CommentKind.PINGBACK,
            author_name="Another blog",
            author_email="",
            author_url="https://other.example/post",
        )
        row = Redirect(path="/2019/05/hello/", target="/articles/hello")
        db.session.add(row)
        db.session.commit()
        return row.id


def stored(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Redirect.path, Redirect.target)).all())


def open_page(page, server) -> None:
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    page.goto(server("/staff/redirects"))
    wait_for_htmx(page)
    page.evaluate("window.__stayed = true")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed === true")


def test_add_and_delete_with_htmx(live_server, page):
    seed(live_server.app)
    open_page(page, live_server)
    form = page.locator("#redirect-form")
    form.get_by_label("Old address").fill("/category/news/")
    form.get_by_label("Redirects to").fill("/tags/news")
    settled_after(page, form.get_by_role("button", name="Add redirect").click)
    expect(page.locator("#redirect-status")).to_have_text(
        "/category/news/ now redirects to /tags/news."
    )
    rows = page.locator("#redirect-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("/category/news/")
    assert page.evaluate("document.activeElement.id") == "path"
    assert form.get_by_label("Old address").input_value() == ""
    delete = page.get_by_role("button", name="Delete the redirect from /category/news/")
    delete.click()
    expect(rows).to_have_count(1)
    poll(page, "document.activeElement.id === 'redirect-q'")
    assert stored(live_server.app) == {"/2019/05/hello/": "/articles/hello"}
    assert stayed(page)


@pytest.mark.allow_console_errors("status of 422")  # the refused address
def test_a_refused_add_shows_its_error_in_place(live_server, page):
    seed(live_server.app)
    open_page(page, live_server)
    form = page.locator("#redirect-form")
    form.get_by_label("Old address").fill("/2019/05/hello/")
    form.get_by_label("Redirects to").fill("javascript:alert(1)")
    settled_after(page, form.get_by_role("button", name="Add redirect").click)
    expect(page.locator("#path-error")).to_contain_text("already redirects")
    expect(page.locator("#target-error")).to_contain_text("https://")
    assert page.evaluate("document.activeElement.id") == "path"
    assert stored(live_server.app) == {"/2019/05/hello/": "/articles/hello"}
    assert stayed(page)


def test_edit_a_target_with_htmx(live_server, page):
    redirect_id = seed(live_server.app)
    open_page(page, live_server)
    row = page.locator(f"#redirect-{redirect_id}")
    row.locator("summary").click()
    row.get_by_label("Where /2019/05/hello/ redirects").fill("https://example.org/")
    settled_after(page, row.get_by_role("button", name="Save").click)
    expect(page.locator("#redirect-status")).to_have_text(
        "/2019/05/hello/ now redirects to https://example.org/."
    )
    expect(page.locator(f"#redirect-{redirect_id}")).to_contain_text(
        "https://example.org/"
    )
    assert stored(live_server.app) == {"/2019/05/hello/": "https://example.org/"}
    assert stayed(page)


def test_redirects_page_without_javascript(live_server, nojs_page):
    redirect_id = seed(live_server.app)
    page = nojs_page
    page.goto(live_server("/staff/login"))
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    page.goto(live_server("/staff/redirects"))
    page.get_by_label("Old address").fill("/?p=12")
    page.get_by_label("Redirects to").fill("/articles/hello")
    page.get_by_role("button", name="Add redirect").click()
    page.wait_for_url("**/staff/redirects")
    expect(page.locator("#alerts")).to_contain_text("/?p=12 now redirects")
    row = page.locator(f"#redirect-{redirect_id}")
    row.locator("summary").click()
    row.get_by_label("Where /2019/05/hello/ redirects").fill("/about")
    row.get_by_role("button", name="Save").click()
    page.wait_for_url("**/staff/redirects")
    page.get_by_role("button", name="Delete the redirect from /?p=12").click()
    page.wait_for_url("**/staff/redirects")
    expect(page.locator("#alerts")).to_contain_text("/?p=12 no longer redirects")
    assert stored(live_server.app) == {"/2019/05/hello/": "/about"}


def test_an_old_address_lands_on_its_article(live_server, page):
    seed(live_server.app)
    page.goto(live_server("/2019/05/hello/"))
    assert page.url == live_server("/articles/hello")
    expect(page.locator("#mentions")).to_contain_text("Another blog")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_redirects_page_and_mentions_have_no_axe_violations(live_server, page, scheme):
    redirect_id = seed(live_server.app)
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 900})
    open_page(page, live_server)
    page.locator(f"#redirect-{redirect_id} summary").click()
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_no_axe_violations(page)
    page.goto(live_server("/articles/hello"))
    assert_no_axe_violations(page)
