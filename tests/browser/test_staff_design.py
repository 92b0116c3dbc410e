"""The staff area's design in Chromium: computed layout, danger styles, the
editor's two columns and tabs, keyboard moderation, and a clean console."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import func
from sqlalchemy import select

from models import Article
from models import Comment
from models import CommentStatus
from models import Role
from models import db
from tests.browser.conftest import CDN_PATTERN
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.browser.test_staff import mark_page
from tests.browser.test_staff import sign_in
from tests.browser.test_staff import stayed
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
BODIES = [
    "Small correction: SQLite's WAL lets readers go on while one writer writes.",
    "Nice.",
    "How does this compare with other admin screens? My editors moderate a lot.",
    "There is a typo in the second paragraph: 'teh' should be 'the'.",
    "Buy cheap pills at example.com, best price!!!",
    "Thank you, this helped.",
    "Could you expand on out-of-band swaps and where focus goes after them?",
    "Please approve me: I have read this blog for years and never wrote before.",
]


def seed_queue(app, pending: int = 8) -> list[int]:
    """A staff admin, an article and `pending` held comments (newest last)."""
    with app.app_context():
        make_user(email="staff@example.com", role=Role.ADMIN, display_name="Sam Staff")
        article = make_article(title="Held article", slug="held-article")
        ids = [
            make_comment(
                article,
                status=CommentStatus.PENDING,
                author_name=f"Reader {n}",
                author_email=f"reader{n}@example.org",
                body=BODIES[n % len(BODIES)],
                status_reason="first comment from this author",
            ).id
            for n in range(pending)
        ]
        make_comment(article, status=CommentStatus.SPAM, author_name="Spammer")
        return ids


def status_of(app, comment_id: int) -> CommentStatus:
    with app.app_context():
        return db.session.get(Comment, comment_id).status


# Not the staff area's: the favicon no page links to, and the CDN these
# tests cut off (so the local htmx is used).
IGNORED_URLS = ("favicon.ico", "cdn.jsdelivr.net")


def watch_console(page: Page) -> list[str]:
    """Console errors (CSP reports among them) and page errors."""
    seen: list[str] = []

    def on_console(message):
        url = message.location.get("url", "")
        if message.type == "error" and not any(i in url for i in IGNORED_URLS):
            seen.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    return seen


@pytest.fixture
def phone(browser) -> Iterator[Page]:
    """A page the size of a phone, dark, with a console watcher."""
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    context.set_default_timeout(10_000)
    context.route(CDN_PATTERN, lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not displayed"
    return found


def style(page: Page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(
        f"el => getComputedStyle(el).getPropertyValue('{prop}')"
    )


def tops(page: Page, selector: str) -> set[int]:
    """The rounded top edges of the matching elements that are displayed."""
    return {
        round(b["y"])
        for b in (el.bounding_box() for el in page.locator(selector).all())
        if b
    }


def test_sidebar_and_tabs_are_rows_and_row_actions_fit_one_line(live_server, page):
    seed_queue(live_server.app)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server)
    page.goto(live_server("/staff/comments"))
    sidebar, main = box(page, ".staff-sidebar"), box(page, "#main")
    assert sidebar["x"] + sidebar["width"] <= main["x"]
    assert page.get_by_role("navigation", name="Staff").is_visible()
    # The queue's tabs are one horizontal row.
    assert len(tops(page, "#queue-tabs li")) == 1
    assert len(page.locator("#queue-tabs li").all()) == 4
    # One line per comment: author, text and context side by side, and each
    # row's actions on one line.
    row = "#moderation-queue .queue-row"
    author, text = box(page, f"{row} .queue-author"), box(page, f"{row} .comment-text")
    context = box(page, f"{row} .queue-context")
    assert author["x"] < text["x"] < context["x"]
    assert abs(author["y"] - text["y"]) < 8 and abs(text["y"] - context["y"]) < 8
    for each in page.locator(row).all():
        actions = each.locator(".row-actions > *").all()
        assert len(actions) == 5  # Approve, Reply, Edit, Spam, Trash
        assert len({round(a.bounding_box()["y"]) for a in actions}) == 1
    # The articles table: filters in a row, each row's actions on one line.
    page.goto(live_server("/staff/articles"))
    assert len(tops(page, "#article-list .tabs li")) == 1
    assert len(tops(page, "#article-list tbody tr .row-actions > *")) == 1


def test_destructive_buttons_look_different_from_primary_ones(live_server, page):
    seed_queue(live_server.app, pending=1)
    sign_in(page, live_server)
    page.goto(live_server("/staff/comments"))
    row = page.locator(".queue-row").first
    approve = row.get_by_role("button", name="Approve")
    colours = {
        name: row.get_by_role("button", name=name).evaluate(
            "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
        )
        for name in ("Approve", "Spam", "Trash")
    }
    assert colours["Spam"] != colours["Approve"]
    assert colours["Spam"][0] != colours["Approve"][0]  # the text is red, not white
    assert colours["Trash"] == colours["Spam"]
    page.goto(live_server("/staff/comments?tab=spam"))
    delete = page.get_by_role("link", name="Delete permanently")
    danger_bg = delete.evaluate("el => getComputedStyle(el).backgroundColor")
    assert danger_bg not in (colours["Approve"][1], "rgba(0, 0, 0, 0)")
    assert approve  # the primary style is the accent's


def test_queue_on_a_phone_is_cards_and_short(live_server, phone):
    seed_queue(live_server.app, pending=8)
    sign_in(phone, live_server)
    phone.goto(live_server("/staff/comments"))
    rows = phone.locator("#moderation-queue .queue-row")
    assert rows.count() == 8
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert second["y"] - (first["y"] + first["height"]) > 4  # separate cards
    assert style(phone, ".queue-row", "border-top-left-radius") != "0px"
    assert first["width"] > 300
    # Stacked: the text is under the author, not beside it.
    assert (
        box(phone, ".queue-row .comment-text")["y"]
        > box(phone, ".queue-row .queue-author")["y"] + 10
    )
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_sidebar_is_a_menu_on_a_phone_with_or_without_javascript(
    live_server, phone, browser
):
    seed_queue(live_server.app, pending=2)
    sign_in(phone, live_server)
    phone.goto(live_server("/staff/comments"))
    wait_for_htmx(phone)
    nav = phone.get_by_role("navigation", name="Staff")
    expect(nav).to_be_hidden()
    phone.locator(".staff-menu-button").click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Comments")).to_have_attribute(
        "aria-current", "page"
    )
    expect(phone.locator("#nav-count-comments")).to_have_text("2 pending")
    assert_no_axe_violations(phone)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        nojs = context.new_page()
        sign_in(nojs, live_server)
        nav = nojs.get_by_role("navigation", name="Staff")
        expect(nav).to_be_hidden()
        nojs.locator(".staff-menu-button").click()
        nav.get_by_role("link", name="Comments").click()
        nojs.wait_for_url("**/staff/comments")
        # Without JavaScript a wide window still shows the sidebar.
        nojs.set_viewport_size(DESKTOP)
        expect(nojs.get_by_role("link", name="Accounts")).to_be_visible()
    finally:
        context.close()


def test_editor_preview_beside_the_form_wide_and_behind_a_tab_narrow(
    live_server, page, phone
):
    seed_queue(live_server.app, pending=0)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server)
    page.goto(live_server("/staff/articles/new"))
    wait_for_htmx(page)
    write, preview = box(page, "#editor-write"), box(page, "#editor-preview")
    assert preview["x"] >= write["x"] + write["width"]
    assert abs(preview["y"] - write["y"]) < 60
    expect(page.get_by_role("tab", name="Preview")).to_be_hidden()

    sign_in(phone, live_server)
    phone.goto(live_server("/staff/articles/new"))
    wait_for_htmx(phone)
    body = phone.get_by_label("Body (Markdown)")
    expect(phone.locator("#editor-preview")).to_be_hidden()
    body.press_sequentially("Some *words*")
    expect(phone.locator("#preview em")).to_have_text("words")  # live, behind the tab
    tab = phone.get_by_role("tab", name="Preview")
    tab.click()
    expect(phone.locator("#editor-preview")).to_be_visible()
    expect(body).to_be_hidden()
    expect(tab).to_have_attribute("aria-selected", "true")
    assert_no_axe_violations(phone)
    phone.keyboard.press("ArrowLeft")
    expect(body).to_be_visible()
    expect(phone.get_by_role("tab", name="Write")).to_be_focused()


def test_editor_names_the_article_after_the_first_htmx_save(live_server, page):
    seed_queue(live_server.app, pending=0)
    errors = watch_console(page)
    sign_in(page, live_server)
    page.goto(live_server("/staff/articles/new"))
    wait_for_htmx(page)
    mark_page(page)
    heading = page.locator("#main h1")
    expect(heading).to_have_text("New article")
    preview_link = page.get_by_role("link", name="Preview as readers see it")
    delete_link = page.get_by_role("link", name="Delete", exact=True)
    expect(preview_link).to_have_count(0)
    page.get_by_label("Title").fill("A first draft")
    page.get_by_label("Body (Markdown)").fill("Hello")
    # A style attribute left on a field (a resized textarea, an extension) is
    # not carried into the swap, where the CSP would refuse it.
    page.locator("#body").evaluate("el => { el.style.height = '30rem'; }")
    settled_after(page, lambda: page.get_by_role("button", name="Save").click())
    expect(heading).to_have_text("A first draft")
    expect(preview_link).to_be_visible()
    expect(delete_link).to_be_visible()
    assert page.url.endswith("/edit") and stayed(page)
    # The second save updates the same article.
    page.get_by_label("Title").fill("A better title")
    settled_after(page, lambda: page.get_by_role("button", name="Save").click())
    expect(heading).to_have_text("A better title")
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 2  # seed's + 1
    assert errors == []


def test_keyboard_moderation(live_server, page):
    ids = seed_queue(live_server.app, pending=3)
    newest, middle, oldest = reversed(ids)
    errors = watch_console(page)
    sign_in(page, live_server)
    page.goto(live_server("/staff/comments"))
    wait_for_htmx(page)
    mark_page(page)
    expect(page.locator(".shortcut-help")).to_be_visible()
    rows = page.locator("#moderation-queue .queue-row")
    page.keyboard.press("j")
    expect(rows.nth(0)).to_be_focused()
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_be_focused()
    expect(rows.nth(0)).not_to_have_attribute("aria-current", "true")
    page.keyboard.press("k")
    page.keyboard.press("j")
    outline = rows.nth(1).evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    settled_after(page, lambda: page.keyboard.press("a"))
    expect(page.locator("#count-pending")).to_have_text("2")
    expect(page.locator("#nav-count-comments")).to_have_text("2 pending")
    expect(rows.nth(1).locator(".badge-approved")).to_have_text("Approved")
    expect(rows.nth(1)).to_be_focused()  # the selection stays on the swapped row
    assert status_of(live_server.app, middle) == CommentStatus.APPROVED
    page.keyboard.press("j")
    settled_after(page, lambda: page.keyboard.press("s"))
    assert status_of(live_server.app, oldest) == CommentStatus.SPAM
    page.keyboard.press("k")
    page.keyboard.press("k")
    settled_after(page, lambda: page.keyboard.press("t"))
    assert status_of(live_server.app, newest) == CommentStatus.TRASH
    assert stayed(page)
    assert errors == []


def test_shortcuts_do_nothing_while_typing_or_with_a_modifier(live_server, page):
    ids = seed_queue(live_server.app, pending=2)
    sign_in(page, live_server)
    page.goto(live_server("/staff/comments"))
    wait_for_htmx(page)
    page.evaluate(
        "window.requests = 0;"
        "document.addEventListener('htmx:beforeRequest', () => { window.requests += 1; })"
    )
    row = page.locator("#moderation-queue .queue-row").first
    settled_after(page, lambda: row.get_by_role("link", name="Reply").click())
    reply = row.get_by_label("Your reply")
    page.evaluate("window.requests = 0")
    reply.press_sequentially("jats")
    assert reply.input_value() == "jats"
    page.locator("#bulk-action").focus()
    page.keyboard.press("a")
    page.keyboard.press("j")
    # A selected comment and a modifier: the browser's own shortcut, not ours.
    page.locator("#moderation-queue .queue-row").nth(1).focus()
    page.keyboard.press("Control+a")
    page.keyboard.press("Alt+s")
    assert page.evaluate("window.requests") == 0
    assert {status_of(live_server.app, i) for i in ids} == {CommentStatus.PENDING}


@pytest.mark.allow_console_errors("net::ERR_FAILED")  # htmx's load, aborted here
def test_queue_shortcut_works_without_htmx(live_server, page):
    """The shortcut submits the button's own form: without htmx, a plain POST."""
    ids = seed_queue(live_server.app, pending=1)
    sign_in(page, live_server)
    page.route("**/htmx.min.js", lambda route: route.abort())
    page.goto(live_server("/staff/comments"))
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "approved" in page.locator("#alerts").inner_text()
    assert status_of(live_server.app, ids[0]) == CommentStatus.APPROVED


STAFF_PAGES = [
    "/staff/",
    "/staff/articles",
    "/staff/articles/new",
    "/staff/articles/{article}/edit",
    "/staff/comments",
    "/staff/comments?tab=spam",
    "/staff/inbox",
    "/staff/users",
    "/staff/password",
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_pages_log_no_console_errors(make_live_server, browser, viewport):
    server = make_live_server(HTMX_CDN=False)
    seed_queue(server.app, pending=3)
    with server.app.app_context():
        article_id = db.session.scalar(select(Article.id))
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        errors = watch_console(page)
        sign_in(page, server)
        for path in STAFF_PAGES:
            page.goto(server(path.format(article=article_id)))
            wait_for_htmx(page)
        assert errors == []
    finally:
        context.close()
