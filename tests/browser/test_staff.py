"""The staff area in a real browser: sign-in, editor with live preview, queue, inbox."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Article
from models import Comment
from models import CommentStatus
from models import ContactMessage
from models import Role
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user


def seed(app, role=Role.ADMIN):
    with app.app_context():
        make_user(email="staff@example.com", role=role, display_name="Sam Staff")
        article = make_article(title="Held article", slug="held-article")
        make_comment(
            article,
            status=CommentStatus.PENDING,
            author_name="Holly",
            body="Please approve me",
            status_reason="first comment from this author",
        )
        make_comment(article, status=CommentStatus.SPAM, author_name="Spammer")
        db.session.add(
            ContactMessage(
                name="Rita",
                email="rita@example.org",
                subject="A question",
                message="How do I subscribe?",
            )
        )
        db.session.commit()
        return article.id


def sign_in(page, server, next_path=""):
    page.goto(server("/staff/login" + next_path))
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/**")


def mark_page(page):
    """Tag the window so a later check can tell that no navigation happened."""
    page.evaluate("window.__stayed = true")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed === true")


def test_sign_in_and_out(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    assert page.locator("h1").inner_text() == "Dashboard"
    assert "Signed in as Sam Staff" in page.locator("#alerts").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/login")
    page.goto(live_server("/staff/"))
    assert "/staff/login" in page.url


@pytest.mark.allow_console_errors("status of 422")  # the refused sign-in
def test_wrong_password_message(live_server, page):
    seed(live_server.app)
    page.goto(live_server("/staff/login"))
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".field-error").last).to_have_text(
        "That email and password do not match an active staff account."
    )


def test_write_and_publish_with_live_preview(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/articles/new"))
    wait_for_htmx(page)
    mark_page(page)
    page.get_by_label("Title").fill("Browser written")
    page.get_by_label("Tags").fill("Testing, Browsers")
    page.get_by_label("Body (Markdown)").press_sequentially(
        "# Live heading\n\nSome **bold** words."
    )
    expect(page.locator("#preview h2")).to_have_text("Live heading")
    expect(page.locator("#preview strong")).to_have_text("bold")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert stayed(page)
    assert page.url.endswith("/edit")
    page.get_by_role("link", name="View it on the site").click()
    page.wait_for_url("**/articles/browser-written")
    assert page.locator("h1").inner_text() == "Browser written"
    assert page.locator("h2#live-heading").count() == 1


def test_unsaved_changes_warn(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/articles/new"))
    wait_for_htmx(page)
    page.get_by_label("Title").fill("Not saved yet")
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/staff/articles/new")


def test_approve_held_comment_from_queue(live_server, page):
    article_id = seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/comments"))
    wait_for_htmx(page)
    mark_page(page)
    expect(page.locator("#count-pending")).to_have_text("1")
    row = page.locator(".queue-row", has_text="Please approve me")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator("#count-pending")).to_have_text("0")
    expect(page.locator("#count-approved")).to_have_text("1")
    expect(row.locator(".badge-approved")).to_have_text("Approved")
    expect(page.locator("#queue-status")).to_contain_text("approved")
    assert stayed(page)
    with live_server.app.app_context():
        assert db.session.get(Article, article_id).comment_count == 1
    page.goto(live_server("/articles/held-article"))
    assert page.locator("#comments").count() == 1
    expect(page.locator("#comments")).to_contain_text("Please approve me")


def test_staff_reply_and_delete_spam_inline(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/comments"))
    wait_for_htmx(page)
    mark_page(page)
    row = page.locator(".queue-row", has_text="Please approve me")
    row.get_by_role("link", name="Reply").click()
    row.get_by_label("Your reply").wait_for()
    assert_no_axe_violations(page)
    row.get_by_label("Your reply").fill("Thanks, Holly")
    row.get_by_role("button", name="Publish reply").click()
    expect(page.locator("#queue-status")).to_contain_text("Your reply to Holly")
    page.get_by_role("link", name="Spam 1").click()
    spam = page.locator(".queue-row", has_text="Spammer")
    spam.get_by_role("link", name="Delete permanently").click()
    page.locator(".confirm-row").get_by_role(
        "button", name="Delete permanently"
    ).click()
    expect(page.locator("#count-spam")).to_have_text("0")
    assert stayed(page)
    with live_server.app.app_context():
        reply = db.session.scalar(
            select(Comment).where(Comment.staff_author_id.is_not(None))
        )
        assert reply.body == "Thanks, Holly" and reply.status == CommentStatus.APPROVED


def test_read_contact_message(live_server, page):
    seed(live_server.app, Role.MODERATOR)
    sign_in(page, live_server)
    page.goto(live_server("/staff/inbox"))
    page.get_by_role("link", name="A question").click()
    expect(page.locator(".message-body")).to_have_text("How do I subscribe?")
    href = page.get_by_role("link", name="Reply by email").get_attribute("href")
    assert href == "mailto:rita@example.org?subject=Re%3A%20A%20question"
    page.get_by_role("link", name="Back to Read").click()
    expect(page.locator("#inbox-list")).to_contain_text("A question")


def test_queue_and_editor_without_javascript(live_server, nojs_page):
    seed(live_server.app)
    sign_in(nojs_page, live_server)
    nojs_page.goto(live_server("/staff/comments"))
    row = nojs_page.locator(".queue-row", has_text="Please approve me")
    row.get_by_role("button", name="Approve").click()
    nojs_page.wait_for_url("**/staff/comments**")
    assert "approved" in nojs_page.locator("#alerts").inner_text()
    assert nojs_page.locator("#count-pending").inner_text() == "0"
    nojs_page.goto(live_server("/staff/articles/new"))
    nojs_page.get_by_label("Title").fill("No script article")
    nojs_page.get_by_label("Body (Markdown)").fill("Plain *post*")
    nojs_page.get_by_role("button", name="Preview").click()
    assert nojs_page.locator("#preview em").inner_text() == "post"
    nojs_page.get_by_role("button", name="Save").click()
    nojs_page.wait_for_url("**/edit")
    assert "Saved" in nojs_page.locator("#alerts").inner_text()


STAFF_PAGES = [
    "/staff/login",
    "/staff/",
    "/staff/articles",
    "/staff/articles/new",
    "/staff/articles/{article}/edit",
    "/staff/articles/{article}/delete",
    "/staff/articles/{article}/preview",
    "/staff/comments",
    "/staff/comments?tab=spam",
    "/staff/inbox",
    "/staff/inbox/1",
    "/staff/inbox/1/delete",
    "/staff/users",
    "/staff/password",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_have_no_axe_violations(live_server, page, path):
    article_id = seed(live_server.app)
    if path != "/staff/login":
        sign_in(page, live_server)
    page.goto(live_server(path.format(article=article_id)))
    wait_for_htmx(page)
    assert_no_axe_violations(page)


@pytest.mark.allow_console_errors("status of 422")  # the save without a title
def test_saved_editor_leaves_without_warning_but_failed_save_warns(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/articles/new"))
    wait_for_htmx(page)
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.get_by_label("Body (Markdown)").fill("No title yet")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    page.get_by_label("Title").fill("Now with a title")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/staff/")
    assert dialogs == ["beforeunload"]


def test_password_strength_hint_as_you_type(live_server, page):
    seed(live_server.app)
    sign_in(page, live_server)
    page.goto(live_server("/staff/password"))
    wait_for_htmx(page)
    mark_page(page)
    hint = page.locator("#new_password-hint")
    page.get_by_label("New password", exact=True).press_sequentially("qwerty123456")
    expect(hint).to_contain_text("too easy to guess")
    page.get_by_label("New password", exact=True).fill("")
    page.get_by_label("New password", exact=True).press_sequentially(
        "a brand new long password"
    )
    expect(hint).to_have_text("Strong enough.")
    # The field keeps what was typed, and focus: only the hint was swapped.
    assert page.get_by_label("New password", exact=True).input_value() == (
        "a brand new long password"
    )
    assert page.evaluate("document.activeElement.id") == "new_password"
    assert stayed(page)
    assert_no_axe_violations(page)


@pytest.mark.allow_console_errors("status of 422")  # the refused weak password
def test_password_change_and_sign_out_elsewhere_without_javascript(
    live_server, nojs_page, page
):
    seed(live_server.app)
    other = page  # another browser, with its own session
    sign_in(other, live_server)
    sign_in(nojs_page, live_server)
    nojs_page.goto(live_server("/staff/password"))
    nojs_page.get_by_label("Current password").fill(PASSWORD)
    nojs_page.get_by_label("New password", exact=True).fill("qwerty123456")
    nojs_page.get_by_label("Repeat the new password").fill("qwerty123456")
    nojs_page.get_by_role("button", name="Change password").click()
    expect(nojs_page.locator("#new_password-error")).to_contain_text(
        "too easy to guess"
    )
    nojs_page.get_by_role("button", name="Sign out everywhere else").click()
    nojs_page.wait_for_url("**/staff/password")
    assert "other sessions are signed out" in nojs_page.locator("#alerts").inner_text()
    other.goto(live_server("/staff/"))
    assert "/staff/login" in other.url
    nojs_page.goto(live_server("/staff/"))
    assert nojs_page.locator("h1").inner_text() == "Dashboard"
