"""Following a thread in a real browser: order swap, new-comments poll, copy link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models import Article
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
        first = make_comment(
            article,
            author_name="Ann",
            author_email="ann@example.org",
            body="The first comment.",
        )
        make_comment(article, author_name="Bob", body="A reply.", parent=first)
        make_comment(article, author_name="Cid", body="The second thread.")
    return server


def authors(page) -> list[str]:
    return page.locator("#comment-list .comment-author").all_inner_texts()


def test_sort_swaps_the_list_without_navigation(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    page.evaluate("window.__noNavigation = true")
    assert authors(page) == ["Ann", "Bob", "Cid"]
    settled_after(page, lambda: page.click("#comment-sort-newest"))
    assert authors(page) == ["Cid", "Ann", "Bob"]  # the reply stays under Ann
    assert page.evaluate("window.__noNavigation") is True
    assert page.url.endswith("/articles/threads?comments=newest#comments")
    expect(page.locator("#comment-sort-newest")).to_have_attribute(
        "aria-current", "true"
    )
    assert page.locator("#comment-sort-oldest[aria-current]").count() == 0
    poll(page, "document.activeElement.id === 'comment-sort-newest'")
    assert_no_axe_violations(page, "#comments")


def test_sort_link_without_javascript(server, nojs_page):
    nojs_page.goto(server("/articles/threads"))
    nojs_page.click("#comment-sort-newest")
    assert nojs_page.url.endswith("/articles/threads?comments=newest#comments")
    assert authors(nojs_page) == ["Cid", "Ann", "Bob"]
    assert nojs_page.locator(".comment-copy:visible").count() == 0
    assert nojs_page.locator(".comment-permalink").count() == 3


def test_new_comments_appear_after_another_reader_posts(server, page, make_context):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    # Nothing new yet: the poll answers with nothing.
    settled_after(page, lambda: page.evaluate("window.folioPollComments()"))
    expect(page.locator("#comment-news")).to_be_empty()
    other = make_context().new_page()
    other.goto(server("/articles/threads"))
    wait_for_htmx(other)
    other.fill("#comment", "Hello from another reader.")
    # Ann has an approved comment already, so hers is approved at once.
    other.fill("#author", "Ann")
    other.fill("#email", "ann@example.org")
    settled_after(other, lambda: other.click("#comment-form button[type=submit]"))
    page.evaluate("window.__noNavigation = true")
    page.focus("#comment")  # a reader writing: the news must not take the focus
    settled_after(page, lambda: page.evaluate("window.folioPollComments()"))
    news = page.locator("#comment-news")
    expect(news).to_contain_text("1 new comment")
    expect(news).to_have_attribute("aria-live", "polite")
    assert page.evaluate("document.activeElement.id") == "comment"
    assert_no_axe_violations(page, "#comments")
    settled_after(page, lambda: page.click("#comment-news a"))
    assert authors(page).count("Ann") == 2
    expect(page.locator("#comment-count")).to_have_text("4 comments")
    expect(page.locator("#comment-news")).to_be_empty()
    poll(page, "document.activeElement.matches('#comment-list .comment-list')")
    assert page.evaluate("window.__noNavigation") is True


def test_poll_rests_while_the_tab_is_hidden(server, page):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    page.evaluate(
        """() => {
            window.folioPolls = 0;
            document.getElementById('comment-news')
              .addEventListener('folio:poll', () => { window.folioPolls += 1; });
            Object.defineProperty(document, 'visibilityState',
              { configurable: true, get: () => 'hidden' });
            document.dispatchEvent(new Event('visibilitychange'));
            window.folioPollComments();
        }"""
    )
    assert page.evaluate("window.folioPolls") == 0
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState',
              { configurable: true, get: () => 'visible' });
            window.folioPollComments();
        }"""
    )
    assert page.evaluate("window.folioPolls") == 1


def test_copy_link_copies_the_permalink_and_announces(server, make_context):
    context = make_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    with server.app.app_context():
        first_id = db.session.get(Article, 1).comments[0].id
    button = page.locator(f'[data-copy-link="comment-{first_id}"]')
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#comment-status")).to_have_text("Link copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == server(f"/articles/threads#comment-{first_id}")
    assert_no_axe_violations(page, "#comments")


def test_own_post_does_not_hide_others_news(server, page, make_context):
    page.goto(server("/articles/threads"))
    wait_for_htmx(page)
    other = make_context().new_page()
    other.goto(server("/articles/threads"))
    wait_for_htmx(other)
    other.fill("#comment", "Hello from another reader.")
    other.fill("#author", "Ann")
    other.fill("#email", "ann@example.org")
    settled_after(other, lambda: other.click("#comment-form button[type=submit]"))
    # This reader posts too: their own comment is not news, Ann's still is.
    page.fill("#comment", "My own words.")
    page.fill("#author", "Ann")
    page.fill("#email", "ann@example.org")
    settled_after(page, lambda: page.click("#comment-form button[type=submit]"))
    expect(page.locator("#comment-news")).to_have_attribute("data-since", "4")
    settled_after(page, lambda: page.evaluate("window.folioPollComments()"))
    expect(page.locator("#comment-news")).to_contain_text("1 new comment")
