"""Playwright fixtures driving a real Chromium (Debian's /usr/bin/chromium by default).

`playwright install` cannot download a browser on Folio's CI machines, so the
browser is launched from its executable path. FOLIO_CHROMIUM overrides the path;
when nothing is found the Playwright-managed Chromium is tried (other machines).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
CDN_PATTERN = "https://cdn.jsdelivr.net/**"


def chromium_path() -> str | None:
    """The Chromium to drive: FOLIO_CHROMIUM, Debian's, or Playwright's own."""
    for candidate in (
        os.environ.get("FOLIO_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _new_context(browser: Browser, **options) -> BrowserContext:
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    # The CDN is unreachable here; failing fast exercises the local fallback
    # without waiting on DNS. Tests that need other CDN behaviour re-route it.
    context.route(CDN_PATTERN, lambda route: route.abort())
    return context


class ConsoleLog(list):
    """Console messages and page errors, for asserting no CSP violation or error."""

    @property
    def errors(self) -> list[str]:
        return [m for m in self if m.startswith(("error:", "pageerror:"))]


@pytest.fixture
def context(browser) -> Iterator[BrowserContext]:
    ctx = _new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Iterator[Page]:
    p = context.new_page()
    log = ConsoleLog()
    p.on("console", lambda msg: log.append(f"{msg.type}: {msg.text}"))
    p.on("pageerror", lambda exc: log.append(f"pageerror: {exc}"))
    p.console_log = log
    yield p
    p.close()


@pytest.fixture
def nojs_page(browser) -> Iterator[Page]:
    """A page in a context with JavaScript disabled."""
    ctx = _new_context(browser, java_script_enabled=False)
    p = ctx.new_page()
    yield p
    ctx.close()


def poll(page: Page, expression: str, timeout: float = 10.0) -> object:
    """Evaluate expression until it is truthy.

    Playwright's wait_for_function polls with eval inside the page, which
    Folio's CSP (rightly) forbids; page.evaluate goes through the debugger.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {expression}"
            return value
        page.wait_for_timeout(50)


def wait_for_htmx(page: Page) -> None:
    """Wait until htmx has loaded and initialised (its meta config applied)."""
    poll(page, "!!(window.htmx && htmx.config.allowEval === false)")


def settled_after(page: Page, action: Callable[[], object]) -> None:
    """Run action, then wait until htmx has swapped and settled its answer."""
    page.evaluate(
        "window.folioSettled = 0;"
        "document.addEventListener('htmx:afterSettle',"
        " () => { window.folioSettled += 1; }, {once: true})"
    )
    action()
    poll(page, "window.folioSettled > 0")


def assert_no_axe_violations(page: Page, context=None) -> None:
    """Run axe-core on the page (or a part of it) and fail on any violation."""
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, results.generate_report()
