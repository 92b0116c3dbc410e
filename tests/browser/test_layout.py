"""The base layout in a real browser: htmx active, fallbacks, no-JS, accessibility."""

import time

import pytest

from tests.browser.conftest import CDN_PATTERN
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import make_article


def _seed(app):
    with app.app_context():
        make_article(title="Hello browser", body="## First\n\nBody text.\n")


def test_home_renders_and_htmx_loads_from_local_fallback(live_server, page):
    _seed(live_server.app)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(live_server("/"))
    # The home page opens with the site's name; the list has its own heading.
    assert page.locator("h1").first.inner_text() == "Folio"
    assert page.locator("#latest-title").inner_text() == "Latest articles"
    wait_for_htmx(page)
    assert page.evaluate("htmx.version") == "2.0.11"
    assert any("cdn.jsdelivr.net" in url for url in requested)
    assert any(url.endswith("/static/vendor/htmx/htmx.min.js") for url in requested)
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.selfRequestsOnly") is True


def test_cdn_that_hangs_falls_back_and_page_stays_usable(live_server, context):
    _seed(live_server.app)
    context.unroute(CDN_PATTERN)
    context.route(CDN_PATTERN, lambda route: None)  # never answered
    page = context.new_page()
    started = time.monotonic()
    page.goto(live_server("/"), wait_until="domcontentloaded")
    # Rendered and navigable before htmx arrives.
    assert page.get_by_role("link", name="Hello browser", exact=True).is_visible()
    wait_for_htmx(page)
    assert time.monotonic() - started < 9


def test_local_only_setting_never_touches_the_cdn(make_live_server, page):
    server = make_live_server(HTMX_CDN=False)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server("/"))
    wait_for_htmx(page)
    assert not any("cdn.jsdelivr.net" in url for url in requested)


def test_page_usable_without_javascript(live_server, nojs_page):
    _seed(live_server.app)
    nojs_page.goto(live_server("/"))
    nojs_page.get_by_role("link", name="Hello browser", exact=True).click()
    assert nojs_page.locator("h1").inner_text() == "Hello browser"
    nojs_page.get_by_role("link", name="Contact", exact=True).first.click()
    assert "/contact" in nojs_page.url


def test_base_layout_has_no_axe_violations(live_server, page):
    _seed(live_server.app)
    page.goto(live_server("/"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)


@pytest.mark.allow_console_errors("status of 404")  # the page asked for
def test_error_page_has_no_axe_violations(live_server, page):
    page.goto(live_server("/no/such/page"))
    assert "Page not found" in page.locator("h1").inner_text()
    assert_no_axe_violations(page)
