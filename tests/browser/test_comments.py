"""Comments in a real browser: htmx posting, errors, replies, moderation notice, no-JS."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Comment
from models import CommentStatus
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import make_article
from tests.support.factories import make_comment


@pytest.fixture
def server(make_live_server):
    server = make_live_server(SPAM_MIN_SECONDS=0)
    with server.app.app_context():
        article = make_article(title="Threads", slug="threads")
        make_comment(
            article,
            author_name="Known Reader",
            author_email="known@example.org",
            body="The first comment.",
        )
    return server


def fill(
    page,
    comment="Posted from a browser.",
    name="Known Reader",
    email="known@example.org",
):
    page.fill("#comment", comment)
    page.fill("#author", name)
    page.fill("#email", email)


def comments(server) -> list[Comment]:
    with server.app.app_context():
        return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def mark_page(page) -> None:
    """Tag the window so a full navigation (which would drop the tag) is noticed."""
    page.evaluate("window.__noNavigation = true")


def test_htmx_post_shows_comment_without_navigation(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    mark_page(page)
    fill(page)
    # A double click still posts once.
    page.dblclick("#comment-form button[type=submit]")
    page.locator("#new-comments li").first.wait_for()
    expect(page.locator("#comment-status")).to_have_text("Your comment was posted.")
    expect(page.locator("#comment-count")).to_have_text("2 comments")
    assert page.evaluate("window.__noNavigation") is True
    assert page.input_value("#comment") == ""
    assert page.locator("#respond").count() == 1
    page.wait_for_timeout(300)
    assert len(comments(server)) == 2
    assert_no_axe_violations(page, "#comments")


def test_focus_goes_to_the_new_comment_not_body(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    fill(page, comment="Where does focus go?")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    new = comments(server)[-1]
    assert new.status == CommentStatus.APPROVED
    poll(page, f"document.activeElement.id === 'comment-{new.id}'")
    assert page.evaluate("document.activeElement.tagName") == "LI"
    # The next Tab reaches the new comment's own links, not the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate(
        f"document.activeElement.closest('#comment-{new.id}') !== null"
    )
    assert_no_axe_violations(page, "#comments")


def test_focus_goes_to_the_held_comment_notice(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    fill(page, comment="A first word.", name="Newcomer", email="new@example.org")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    new = comments(server)[-1]
    assert new.status == CommentStatus.PENDING
    poll(page, "document.activeElement.classList.contains('comment-awaiting')")
    assert page.evaluate(
        f"document.activeElement.closest('li').id === 'comment-{new.id}'"
    )
    expect(page.locator("#comments")).to_contain_text("awaiting moderation")
    assert page.locator("#comments").inner_text().count("awaiting moderation") == 1


def test_remembered_details_refill_the_fresh_form(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    mark_page(page)
    fill(page, comment="Remember me, please.")
    page.fill("#url", "https://known.example")
    page.check("#remember")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    page.locator("#respond-home #comment-form").wait_for()
    assert page.input_value("#comment") == ""
    assert page.input_value("#author") == "Known Reader"
    assert page.input_value("#email") == "known@example.org"
    assert page.input_value("#url") == "https://known.example"
    assert page.is_checked("#remember")
    assert page.evaluate("window.__noNavigation") is True
    # Unticked, the next fresh form forgets them, as the cookie does.
    page.fill("#comment", "Now forget me.")
    page.uncheck("#remember")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    page.locator("#respond-home #comment-form").wait_for()
    assert page.input_value("#author") == ""
    assert not page.is_checked("#remember")


@pytest.mark.allow_console_errors("status of 422")  # the form with errors
def test_field_errors_inline_with_focus(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    mark_page(page)
    fill(page, comment="x", email="not-an-email")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comment-error")).to_have_text("Write at least 2 characters.")
    expect(page.locator("#email-error")).to_contain_text("Enter a valid email address")
    assert page.get_attribute("#comment", "aria-invalid") == "true"
    poll(page, "document.activeElement && document.activeElement.id === 'comment'")
    expect(page.locator("#comment-status")).to_contain_text("2 fields need attention")
    assert page.evaluate("window.__noNavigation") is True
    assert_no_axe_violations(page, "#comments")
    assert len(comments(server)) == 1


def test_reply_in_thread_and_cancel(server, page):
    [root] = comments(server)
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    mark_page(page)
    page.click(f"#comment-{root.id} .comment-reply")
    slot = page.locator(f"#reply-slot-{root.id} #respond")
    slot.wait_for()
    assert page.locator("#respond").count() == 1
    expect(page.locator("#reply-title")).to_have_text("Reply to Known Reader")
    poll(page, "document.activeElement && document.activeElement.id === 'comment'")
    # Cancel puts the form back at the bottom.
    page.click("text=Cancel reply")
    page.locator("#respond-home #respond").wait_for()
    assert page.locator("#respond").count() == 1
    expect(page.locator("#reply-title")).to_have_text("Leave a comment")
    # Reply for real.
    page.click(f"#comment-{root.id} .comment-reply")
    slot.wait_for()
    fill(page, comment="A reply in the thread.")
    page.click("#comment-form button[type=submit]")
    reply = page.locator(f"#replies-{root.id} > li")
    reply.first.wait_for()
    expect(reply.first).to_contain_text("A reply in the thread.")
    page.locator("#respond-home #respond").wait_for()
    assert page.locator("#respond").count() == 1
    assert page.evaluate("window.__noNavigation") is True
    assert comments(server)[-1].parent_id == root.id
    assert_no_axe_violations(page, "#comments")


def test_awaiting_moderation_notice_only_for_the_author(server, page, make_context):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    fill(page, comment="New voice here.", name="Newcomer", email="new@example.org")
    page.click("#comment-form button[type=submit]")
    held = page.locator("#new-comments li")
    held.first.wait_for()
    expect(held.first).to_contain_text("Your comment is awaiting moderation.")
    # Said once, on the comment; the status line thanks instead.
    expect(page.locator("#comment-status")).to_contain_text("once it is approved")
    expect(page.locator("#comments")).not_to_contain_text("No comments yet")
    assert comments(server)[-1].status == CommentStatus.PENDING
    page.reload()
    expect(page.locator("#new-comments li").first).to_contain_text(
        "Your comment is awaiting moderation."
    )
    other_page = make_context().new_page()
    other_page.goto(server("/articles/threads"))
    assert "New voice here." not in other_page.content()


def test_held_reply_stays_under_its_parent_after_reload(server, page, nojs_page):
    [root] = comments(server)
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    page.click(f"#comment-{root.id} .comment-reply")
    page.locator(f"#reply-slot-{root.id} #comment-form").wait_for()
    fill(page, comment="A held reply.", name="Newcomer", email="new@example.org")
    page.click("#comment-form button[type=submit]")
    page.locator(f"#replies-{root.id} > li.comment-held").wait_for()
    held = comments(server)[-1]
    assert held.status == CommentStatus.PENDING and held.parent_id == root.id
    page.reload()
    wait_for_htmx(page)
    moved = page.locator(f"#replies-{root.id} > #comment-{held.id}")
    expect(moved).to_contain_text("Your comment is awaiting moderation.")
    assert page.locator(f"#new-comments > #comment-{held.id}").count() == 0
    # Without JavaScript it stays after the list, saying what it answers.
    cookies = page.context.cookies()
    nojs_page.context.add_cookies(cookies)
    nojs_page.goto(server("/articles/threads"))
    below = nojs_page.locator(f"#new-comments > #comment-{held.id}")
    expect(below).to_contain_text("It replies to this comment.")
    link = below.locator(".comment-awaiting a")
    assert link.get_attribute("href") == f"#comment-{root.id}"
    assert_no_axe_violations(page, "#comments")


@pytest.mark.allow_console_errors("status of 422")  # the form with errors
def test_whole_flow_without_javascript(server, nojs_page):
    page = nojs_page
    [root] = comments(server)
    page.goto(server("/articles/threads"))
    # An error re-renders the page with the message.
    fill(page, comment="")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comment-error")).to_have_text("Write a comment.")
    # A top-level comment lands at its anchor.
    fill(page, comment="Without any script.")
    page.check("#remember")
    page.click("#comment-form button[type=submit]")
    new = comments(server)[-1]
    assert page.url.endswith(f"/articles/threads#comment-{new.id}")
    expect(page.locator(f"#comment-{new.id}")).to_contain_text("Without any script.")
    # Remembered details pre-fill the next form.
    assert page.input_value("#author") == "Known Reader"
    # Reply via ?replytocom= and its Cancel link.
    page.click(f"#comment-{root.id} .comment-reply")
    assert f"replytocom={root.id}" in page.url
    expect(page.locator("#reply-title")).to_have_text("Reply to Known Reader")
    page.fill("#comment", "A reply without script.")
    page.click("#comment-form button[type=submit]")
    reply = comments(server)[-1]
    assert reply.parent_id == root.id
    expect(page.locator(f"#replies-{root.id} #comment-{reply.id}")).to_be_visible()


def test_show_more_comments(make_live_server, page):
    server = make_live_server(SPAM_MIN_SECONDS=0, COMMENTS_PER_PAGE=2)
    with server.app.app_context():
        article = make_article(slug="long")
        for i in range(5):
            make_comment(article, body=f"Numbered comment {i}.")
    page.goto(server("/articles/long"))
    wait_for_htmx(page)
    mark_page(page)
    assert page.locator(".comment").count() == 2
    page.click("text=Show more comments")
    page.locator("#comment-page-2").wait_for()
    assert page.locator(".comment").count() == 4
    poll(page, "document.activeElement.closest('#comment-page-2') !== null")
    page.click("text=Show more comments")
    page.locator("#comment-page-3").wait_for()
    assert page.locator(".comment").count() == 5
    assert page.locator("text=Show more comments").count() == 0
    assert page.evaluate("window.__noNavigation") is True
    assert_no_axe_violations(page, "#comments")


def test_axe_on_the_comment_section(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    assert_no_axe_violations(page, "#comments")
