"""Articles in a real browser: Load more, as-you-type search, no-JS paths, axe."""

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user


def _seed(app, n=5):
    with app.app_context():
        author = make_user(display_name="Browser Author")
        for i in range(n):
            article = make_article(
                title=f"Story {i}",
                slug=f"story-{i}",
                summary=f"Summary about tomatoes {i}.",
                body="## First\n\nText.\n\n## Second\n\nMore.\n\n## Third\n\nEnd.",
                published_ago=timedelta(days=i + 1),
                tags=["Garden"],
                author=author,
            )
        make_comment(article)


def test_load_more_appends_without_navigation(make_live_server, page):
    server = make_live_server(ARTICLES_PER_PAGE=2)
    _seed(server.app)
    page.goto(server("/"))
    wait_for_htmx(page)
    cards = page.locator("#article-list article.card")
    expect(cards).to_have_count(2)
    page.evaluate("window.__stayed = true")
    load_more = page.get_by_role("button", name="Load more")
    # Focus moves once the swap has settled (folio.js, htmx:afterSettle); the
    # cards are counted at the swap, before it, so wait for the settle.
    settled_after(page, load_more.click)
    expect(cards).to_have_count(4)
    assert page.evaluate("window.__stayed") is True
    poll(page, "location.search === '?page=2'")
    expect(page.locator("#article-list")).to_contain_text("Story 3")
    assert page.evaluate("document.activeElement.textContent") == "Story 2"
    settled_after(page, load_more.click)
    expect(cards).to_have_count(5)
    poll(page, "location.search === '?page=3'")
    assert page.evaluate("window.__stayed") is True
    expect(load_more).to_have_count(0)
    # Focus moved to the first of the newly added cards.
    assert page.evaluate("document.activeElement.textContent") == "Story 4"


def test_older_articles_links_without_javascript(make_live_server, nojs_page):
    server = make_live_server(ARTICLES_PER_PAGE=2)
    _seed(server.app)
    nojs_page.goto(server("/"))
    assert not nojs_page.get_by_role("button", name="Load more").is_visible()
    nojs_page.get_by_role("link", name="Older articles").click()
    nojs_page.wait_for_url("**/?page=2")
    expect(nojs_page.locator("#article-list article.card")).to_have_count(2)
    expect(nojs_page.locator("#article-list")).to_contain_text("Story 2")
    nojs_page.get_by_role("link", name="Newer articles").click()
    nojs_page.wait_for_url(server("/?page=1"))
    expect(nojs_page.locator("#article-list")).to_contain_text("Story 0")


def test_search_as_you_type_updates_results_and_url(live_server, page):
    _seed(live_server.app)
    with live_server.app.app_context():
        make_article(
            title="Bicycles", slug="bikes", summary="Two wheels.", body="Ride."
        )
    page.goto(live_server("/search"))
    wait_for_htmx(page)
    page.evaluate("window.__stayed = true")
    page.get_by_label("Search articles").press_sequentially("bicyc", delay=30)
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Bicycles")).to_be_visible()
    expect(results.get_by_role("link", name="Story 0")).to_have_count(0)
    poll(page, "location.search === '?q=bicyc'")
    page.get_by_label("Search articles").fill("tomatoes")
    expect(results.get_by_role("link", name="Story 0")).to_be_visible()
    poll(page, "location.search === '?q=tomatoes'")
    expect(results.locator("mark").first).to_have_text("tomatoes")
    assert page.evaluate("window.__stayed") is True


def test_home_search_as_you_type(live_server, page):
    _seed(live_server.app)
    with live_server.app.app_context():
        make_article(
            title="Bicycles", slug="bikes", summary="Two wheels.", body="Ride."
        )
    page.goto(live_server("/"))
    wait_for_htmx(page)
    page.evaluate("window.__stayed = true")
    results = page.locator("#search-results")
    expect(results).to_be_hidden()
    box = page.get_by_label("Search articles")
    settled_after(page, lambda: box.press_sequentially("bicyc", delay=30))
    expect(results).to_be_visible()
    expect(results.get_by_role("link", name="Bicycles")).to_be_visible()
    expect(results.get_by_role("link", name="Story 0")).to_have_count(0)
    # The home page stays the home page: no navigation, no new URL.
    assert page.evaluate("window.__stayed") is True
    assert page.evaluate("location.pathname + location.search") == "/"
    expect(page.locator("#article-list")).to_contain_text("Story 0")
    settled_after(page, lambda: box.fill("tomatoes"))
    expect(results.locator("mark").first).to_have_text("tomatoes")
    # Cleared, the results fold away again.
    settled_after(page, lambda: box.fill(""))
    expect(results).to_be_hidden()
    assert_no_axe_violations(page)


def test_home_search_without_javascript_opens_search(live_server, nojs_page):
    _seed(live_server.app)
    nojs_page.goto(live_server("/"))
    nojs_page.get_by_label("Search articles").fill("tomatoes 3")
    nojs_page.get_by_role("button", name="Search").click()
    nojs_page.wait_for_url("**/search?q=tomatoes+3")
    expect(nojs_page.locator("#search-results")).to_contain_text("Story 3")


def test_search_without_javascript(live_server, nojs_page):
    _seed(live_server.app)
    nojs_page.goto(live_server("/search"))
    nojs_page.get_by_label("Search articles").fill("tomatoes 3")
    nojs_page.get_by_role("button", name="Search").click()
    nojs_page.wait_for_url("**/search?q=tomatoes+3")
    expect(nojs_page.locator("#search-results")).to_contain_text("Story 3")


def test_article_page_toc_and_neighbours(live_server, page):
    _seed(live_server.app)
    page.goto(live_server("/articles/story-2"))
    page.locator("#toc").get_by_role("link", name="Second").click()
    poll(page, "location.hash === '#second'")
    page.get_by_role("link", name="Next article Story 1").click()
    page.wait_for_url("**/articles/story-1")


def test_reader_pages_have_no_axe_violations(live_server, page):
    _seed(live_server.app)
    for path in ("/", "/articles/story-1", "/tags/garden", "/search?q=tomatoes"):
        page.goto(live_server(path))
        wait_for_htmx(page)
        assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    for path in ("/", "/search?q=tomatoes"):
        page.goto(live_server(path))
        wait_for_htmx(page)
        assert_no_axe_violations(page)
