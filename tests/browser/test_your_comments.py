"""Your comments in a real browser: the mailed link, inline edits, export, erase, no-JS."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Comment
from models import OutboxMail
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import make_article
from tests.support.factories import make_comment

LINK = re.compile(r"https?://[^/\s]+(/your-comments/link/\S+)")


@pytest.fixture
def server(make_live_server):
    server = make_live_server(SPAM_MIN_SECONDS=0)
    with server.app.app_context():
        article = make_article(title="Threads", slug="threads")
        first = make_comment(
            article, author_email="ada@example.org", body="Ada wrote this."
        )
        make_comment(article, body="A reply to Ada.", parent=first)
        make_comment(article, author_email="ada@example.org", body="Ada again.")
    return server


def mailed_link(server) -> str:
    """The path of the newest "Your comments" link in the outbox."""
    with server.app.app_context():
        body = db.session.scalars(
            select(OutboxMail.body).order_by(OutboxMail.id.desc())
        ).first()
    return LINK.search(body).group(1)


def comments(server) -> list[Comment]:
    with server.app.app_context():
        return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def open_session(server, page) -> None:
    """Ask for a link with htmx, then open it and press the button."""
    page.goto(server("/your-comments"))
    wait_for_htmx(page)
    page.fill("#email", "ada@example.org")
    settled_after(page, lambda: page.click("#reader-request button[type=submit]"))
    expect(page.locator("#reader-request .alert")).to_contain_text(
        "If that address has comments here"
    )
    assert_no_axe_violations(page)
    page.goto(server(mailed_link(server)))
    page.click("text=Show my comments")
    page.wait_for_url("**/your-comments/mine")


def test_link_edit_export_and_erase(server, make_context):
    page = make_context(accept_downloads=True).new_page()
    open_session(server, page)
    expect(page.locator(".reader-comment")).to_have_count(2)
    assert_no_axe_violations(page)
    ada = comments(server)[0]
    item = f"#your-comment-{ada.id}"
    wait_for_htmx(page)
    page.evaluate("window.__noNavigation = true")
    settled_after(page, lambda: page.click(f"{item} >> text=Edit"))
    page.fill(f"{item} textarea", "Ada fixed this.")
    settled_after(page, lambda: page.click(f"{item} button[type=submit]"))
    expect(page.locator(item)).to_contain_text("Ada fixed this.")
    expect(page.locator(item)).to_contain_text("edited")
    poll(page, f"document.activeElement.id === 'your-comment-{ada.id}'")
    assert page.evaluate("window.__noNavigation") is True

    with page.expect_download() as download:
        page.click("text=Download everything (JSON)")
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert {c["body"] for c in data["comments"]} == {"Ada fixed this.", "Ada again."}
    assert [r["body"] for r in data["revisions"]] == ["Ada wrote this."]

    page.click("text=Erase everything")
    page.wait_for_url("**/your-comments/erase")
    assert_no_axe_violations(page)
    page.click("form button.button-danger")
    page.wait_for_url("**/your-comments/erased")
    bodies = [c.body for c in comments(server)]
    assert "Ada again." not in bodies and "Ada fixed this." not in bodies
    assert "A reply to Ada." in bodies
    page.goto(server("/articles/threads"))
    expect(page.locator("#comments")).to_contain_text("Deleted by its author")


def test_without_javascript(server, nojs_page):
    page = nojs_page
    page.goto(server("/your-comments"))
    page.fill("#email", "ada@example.org")
    page.click("#reader-request button[type=submit]")
    page.wait_for_url("**/your-comments/sent")
    page.goto(server(mailed_link(server)))
    page.click("text=Show my comments")
    page.wait_for_url("**/your-comments/mine")
    ada = comments(server)[0]
    page.click(f"#your-comment-{ada.id} >> text=Edit")
    page.wait_for_url(f"**/your-comments/{ada.id}/edit")
    page.fill("textarea", "Fixed without JavaScript.")
    page.click("button[type=submit]")
    page.wait_for_url("**/your-comments/mine")
    expect(page.locator(f"#your-comment-{ada.id}")).to_contain_text(
        "Fixed without JavaScript."
    )


def test_edit_inline_right_after_posting(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    page.fill("#comment", "A tpyo in my comment.")
    page.fill("#author", "Ada")
    page.fill("#email", "ada@example.org")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    new = comments(server)[-1]
    li = f"#comment-{new.id}"
    settled_after(page, lambda: page.click(f"{li} .comment-edit"))
    page.fill(f"{li} textarea", "A typo fixed in my comment.")
    settled_after(page, lambda: page.click(f"{li} button[type=submit]"))
    expect(page.locator(li)).to_contain_text("A typo fixed in my comment.")
    expect(page.locator(li)).to_contain_text("edited")
    assert_no_axe_violations(page, "#comments")


def test_inline_edit_keeps_the_replies(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    page.fill("#comment", "A tpyo above a reply.")
    page.fill("#author", "Ada")
    page.fill("#email", "ada@example.org")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    new = comments(server)[-1]
    # A reply under it, with htmx, so the card keeps its Edit link.
    page.click(f"#comment-{new.id} .comment-reply")
    page.locator(f"#reply-slot-{new.id} #comment-form").wait_for()
    page.fill("#comment", "A reply below.")
    page.fill("#author", "Ada")
    page.fill("#email", "ada@example.org")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    replies = page.locator(f"#replies-{new.id}")
    expect(replies).to_contain_text("A reply below.")
    card = f"#comment-card-{new.id}"
    settled_after(page, lambda: page.click(f"{card} .comment-edit"))
    page.fill(f"{card} textarea", "A typo fixed above a reply.")
    settled_after(page, lambda: page.click(f"{card} button[type=submit]"))
    expect(page.locator(card)).to_contain_text("A typo fixed above a reply.")
    expect(replies).to_contain_text("A reply below.")
    poll(page, f"document.activeElement.id === 'comment-card-{new.id}'")
    assert_no_axe_violations(page, "#comments")


def test_delete_in_place_after_the_confirm_dialog(server, page):
    open_session(server, page)
    ada, _, again = comments(server)
    wait_for_htmx(page)
    page.evaluate("window.__noNavigation = true")
    # hx-confirm asks first: dismissed, nothing happens; accepted, it goes.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(f"#your-comment-{again.id} button[type=submit]")
    expect(page.locator(f"#your-comment-{again.id}")).to_be_visible()
    assert again.id in [c.id for c in comments(server)]
    page.once("dialog", lambda dialog: dialog.accept())
    settled_after(page, lambda: page.click(f"#your-comment-{again.id} button"))
    gone = page.locator(".reader-comment", has_text="Comment deleted.")
    expect(gone).to_have_count(1)
    poll(page, "document.activeElement.textContent.includes('Comment deleted.')")
    page.once("dialog", lambda dialog: dialog.accept())
    settled_after(page, lambda: page.click(f"#your-comment-{ada.id} button"))
    assert page.evaluate("window.__noNavigation") is True
    stored = {c.id: c for c in comments(server)}
    assert again.id not in stored
    # Ada's first comment has a reply: kept, as deleted by its author.
    assert stored[ada.id].removed_at is not None and stored[ada.id].body == ""
    assert_no_axe_violations(page)
    page.goto(server("/articles/threads"))
    expect(page.locator("#comments")).to_contain_text("Deleted by its author")
    expect(page.locator("#comments")).to_contain_text("A reply to Ada.")
