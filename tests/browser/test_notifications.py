"""Reply notifications in a browser, with the mail received by a real SMTP server.

Subscribe from the comment form (htmx), confirm from the received mail, a reply
held then approved by staff brings exactly one mail with the List-Unsubscribe
headers, the RFC 8058 one-click POST (no CSRF token) unsubscribes, and a later
reply sends nothing. Then the same pages without JavaScript.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.subscriptions.tokens import unsubscribe_token
from mail import outbox
from models import Comment
from models import OutboxMail
from models import ReaderAddress
from models import Role
from models import Subscription
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import smtp_config
from tests.browser.conftest import wait_for_htmx
from tests.browser.conftest import wait_for_mail
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client

SITE = "https://blog.example.org"
ADA = "ada@example.org"
LINK = re.compile(
    SITE.replace(".", r"\.") + r"/(subscriptions/confirm|unsubscribe)/\S+"
)


@pytest.fixture
def server(make_live_server, smtp_server):
    server = make_live_server(
        **smtp_config(smtp_server), SPAM_MIN_SECONDS=0, SITE_URL=SITE
    )
    with server.app.app_context():
        article = make_article(title="Threads", slug="threads")
        make_comment(article, author_name="Ada", author_email=ADA, body="Hello.")
    yield server
    # Before the database is emptied: its rounds would only log errors.
    outbox.worker(server.app).stop()


def _path(body: str, kind: str) -> str:
    links = [m.group(0) for m in LINK.finditer(body) if m.group(1) == kind]
    assert links, body
    return urlsplit(links[0]).path


def _body(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def _to(smtp_server, email: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == email]


def _outbox_drained(server, timeout: float = 15.0) -> None:
    """Wait (bounded) until every queued mail has been sent."""
    deadline = time.monotonic() + timeout
    while True:
        with server.app.app_context():
            unsent = db.session.scalar(
                select(OutboxMail.id).where(OutboxMail.sent_at.is_(None)).limit(1)
            )
        if unsent is None:
            return
        assert time.monotonic() < deadline, "the outbox did not drain"
        time.sleep(0.05)


def _last_comment_id(server) -> int:
    with server.app.app_context():
        return db.session.scalar(select(Comment.id).order_by(Comment.id.desc()))


def _reply_as(page, server, parent_id: int, name: str, email: str, text: str):
    page.goto(server(f"/articles/threads?replytocom={parent_id}#respond"))
    wait_for_htmx(page)
    page.fill("#comment", text)
    page.fill("#author", name)
    page.fill("#email", email)
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))


def test_subscribe_confirm_notify_and_one_click_unsubscribe(
    server, smtp_server, page, make_context
):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    page.fill("#comment", "Does this work with htmx?")
    page.fill("#author", "Ada")
    page.fill("#email", ADA)
    page.get_by_label("Email me when someone replies").check()
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    expect(page.locator("#comment-status")).to_contain_text(
        "If this address has not confirmed this yet, we sent it a link"
    )
    # The fresh form's boxes are unticked again.
    expect(page.get_by_label("Email me when someone replies")).not_to_be_checked()
    ada_comment = _last_comment_id(server)

    confirmation = wait_for_mail(smtp_server)
    assert confirmation["To"] == ADA
    page.goto(server(_path(_body(confirmation), "subscriptions/confirm")))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    settled_after(page, lambda: page.get_by_role("button", name="Confirm").click())
    expect(page.locator("#confirm-done")).to_have_text("Thank you, that is confirmed")
    assert_no_axe_violations(page)

    # Another reader replies: held (a first comment), then approved by staff.
    other = make_context().new_page()
    _reply_as(other, server, ada_comment, "Bob", "bob@example.org", "A reply.")
    reply_id = _last_comment_id(server)
    staff, _ = staff_client(server.app, role=Role.MODERATOR)
    approved = staff.post(f"/staff/comments/{reply_id}/approve")
    assert approved.status_code == 303

    notice = wait_for_mail(smtp_server, count=len(smtp_server.messages) + 1)
    _outbox_drained(server)
    notices = _to(smtp_server, ADA)[1:]
    assert len(notices) == 1
    notice = notices[0]
    assert notice["Subject"] == "[Folio] New reply to your comment on “Threads”"
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = notice["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{SITE}/unsubscribe/")
    assert "Bob wrote:" in _body(notice)

    # The mail provider's one-click POST: no cookie, no CSRF token.
    provider = make_context().request
    answer = provider.post(
        server(urlsplit(unsubscribe).path),
        form={"List-Unsubscribe": "One-Click"},
    )
    assert answer.status == 200
    with server.app.app_context():
        assert db.session.scalars(select(Subscription)).all() == []

    # Bob (approved now) replies again: nothing more for Ada.
    _reply_as(other, server, ada_comment, "Bob", "bob@example.org", "Again.")
    _outbox_drained(server)
    assert len(_to(smtp_server, ADA)) == 2


def test_follow_confirm_and_unsubscribe_without_javascript(
    server, smtp_server, nojs_page
):
    page = nojs_page
    page.goto(server("/articles/threads"))
    page.get_by_role("link", name="Follow new comments by email").click()
    page.wait_for_url(server("/articles/threads/follow"))
    page.get_by_label("Email").fill("eve@example.org")
    page.get_by_role("button", name="Follow by email").click()
    page.wait_for_url(server("/articles/threads/follow/sent"))
    expect(page.locator("h2")).to_have_text("Check your inbox")

    mail = wait_for_mail(smtp_server)
    assert mail["To"] == "eve@example.org"
    page.goto(server(_path(_body(mail), "subscriptions/confirm")))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#confirm-done")).to_have_text("Thank you, that is confirmed")

    with server.app.app_context():
        address = db.session.scalar(select(ReaderAddress))
        with server.app.test_request_context():
            token = unsubscribe_token(address)
    page.goto(server(f"/unsubscribe/{token}"))
    page.get_by_role("button", name="Unsubscribe from everything").click()
    expect(page.locator("#unsubscribe-done")).to_have_text(
        "You are unsubscribed from everything"
    )
    with server.app.app_context():
        assert db.session.scalars(select(Subscription)).all() == []


def _unsubscribe_path(server, email: str) -> str:
    """A link to unsubscribe email from everything (it follows the article)."""
    with server.app.app_context():
        address = db.session.scalar(
            select(ReaderAddress).where(ReaderAddress.email == email)
        )
        with server.app.test_request_context():
            return f"/unsubscribe/{unsubscribe_token(address)}"


def test_follow_with_htmx_and_the_pages_pass_axe(server, smtp_server, page):
    page.goto(server("/articles/threads/follow"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    page.evaluate("window.__noNavigation = true")
    page.get_by_label("Email").fill("fay@example.org")
    settled_after(
        page, lambda: page.get_by_role("button", name="Follow by email").click()
    )
    expect(page.locator("#follow-sent-title")).to_be_focused()
    assert page.evaluate("window.__noNavigation") is True
    assert_no_axe_violations(page)
    assert wait_for_mail(smtp_server)["To"] == "fay@example.org"

    page.goto(server(_unsubscribe_path(server, "fay@example.org")))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    settled_after(
        page,
        lambda: page.get_by_role("button", name="Unsubscribe from everything").click(),
    )
    expect(page.locator("#unsubscribe-done")).to_be_focused()
    assert_no_axe_violations(page)
