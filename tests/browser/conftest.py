"""Playwright fixtures driving a real Chromium (Debian's /usr/bin/chromium by default).

`playwright install` cannot download a browser on Folio's CI machines, so the
browser is launched from its executable path. FOLIO_CHROMIUM overrides the path;
when nothing is found the Playwright-managed Chromium is tried (other machines).

Every browser test fails on a console error, an uncaught page error or a CSP
violation in any page it opened (`ConsoleGuard`). The one failure expected
everywhere, the CDN copy of htmx that these tests abort, is not counted. A test
that provokes errors on purpose says which with
`@pytest.mark.allow_console_errors("text of the message", ...)` (no argument:
any error).
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
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Page
from playwright.sync_api import sync_playwright

from tests.test_outbox import SMTPServer

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
CDN_ORIGIN = "https://cdn.jsdelivr.net/"
# What Chromium logs for the CDN script _new_context aborts, with its URL.
CDN_ABORTED = "Failed to load resource: net::ERR_FAILED"
# Injected before any of the page's own scripts. Chromium also logs each
# violation to the console; the event adds where it happened, and still
# reports one should Chromium stop logging them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.folioReportViolation({
    directive: e.effectiveDirective || e.violatedDirective,
    blocked: e.blockedURI,
    source: e.sourceFile,
    line: e.lineNumber,
    column: e.columnNumber,
    sample: e.sample,
    element: e.target && e.target.nodeType === 1
      ? e.target.tagName.toLowerCase() + (e.target.id ? "#" + e.target.id : "")
      : "",
  });
}, true);
"""


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


class ConsoleLog(list):
    """Console messages and page errors, for asserting no CSP violation or error."""

    @property
    def errors(self) -> list[str]:
        return [m for m in self if m.startswith(("error:", "pageerror:"))]


def is_aborted_cdn_load(message: ConsoleMessage) -> bool:
    """The CDN script load _new_context aborts: expected, not Folio's error."""
    return message.text == CDN_ABORTED and message.location.get("url", "").startswith(
        CDN_ORIGIN
    )


class ConsoleGuard:
    """Console errors, page errors and CSP violations in every page a test opens."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.contexts: list[BrowserContext] = []

    def watch(self, context: BrowserContext, scripts: bool = True) -> None:
        """Record the problems of every page opened in context from now on."""
        if scripts:  # a page without JavaScript never runs a timer: no flush
            self.contexts.append(context)
        context.expose_binding("folioReportViolation", self._on_violation)
        context.add_init_script(script=CSP_LISTENER)
        context.on("page", self._watch_page)

    def _watch_page(self, page: Page) -> None:
        page.console_log = ConsoleLog()
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self._on_page_error(page, error))

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        page.console_log.append(f"{message.type}: {message.text}")
        if message.type != "error" or is_aborted_cdn_load(message):
            return
        where = message.location.get("url") or page.url
        self.problems.append(f"console error ({where}): {message.text}")

    def _on_page_error(self, page: Page, error: Exception) -> None:
        page.console_log.append(f"pageerror: {error}")
        self.problems.append(f"page error ({page.url}): {error}")

    def _on_violation(self, source: dict, report: dict) -> None:
        where = f"{report['source'] or source['frame'].url}:{report['line']}"
        self.problems.append(
            f"CSP violation ({where}): {report['directive']} blocked"
            f" {report['blocked'] or '?'} on <{report['element'] or '?'}>"
            f" {report['sample']!r}"
        )

    def flush(self) -> None:
        """Let the violation reports that open pages have queued arrive."""
        for context in self.contexts:
            for page in context.pages:
                try:
                    page.evaluate("new Promise((done) => setTimeout(done, 0))")
                except Exception:  # closed, navigating or crashed: nothing to add
                    pass

    def unexpected(self, allowed: list[str] | None) -> list[str]:
        """Problems not allowed by the test's allow_console_errors marker."""
        if allowed is None:
            return list(self.problems)
        return [p for p in self.problems if not any(a in p for a in allowed)]


def _allowed(item: pytest.Item) -> list[str] | None:
    """None without the marker; with it, the texts it allows ("" allows any)."""
    marks = list(item.iter_markers("allow_console_errors"))
    if not marks:
        return None
    if any(not mark.args for mark in marks):
        return [""]
    return [text for mark in marks for text in mark.args]


@pytest.fixture(autouse=True)
def console_guard() -> ConsoleGuard:
    """The test's guard; pytest_runtest_call fails the test on what it caught."""
    return ConsoleGuard()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    guard = item.funcargs.get("console_guard")
    try:
        result = yield
    except BaseException:
        if guard is not None:  # shown beside the failure, which may be its cause
            _add_section(item, guard)
        raise
    if guard is not None:
        guard.flush()
        _add_section(item, guard)
        unexpected = guard.unexpected(_allowed(item))
        if unexpected:
            pytest.fail(
                "Console errors or CSP violations in the browser:\n  "
                + "\n  ".join(unexpected),
                pytrace=False,
            )
    return result


def _add_section(item: pytest.Item, guard: ConsoleGuard) -> None:
    if guard.problems:
        item.add_report_section("call", "browser console", "\n".join(guard.problems))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _new_context(browser: Browser, guard: ConsoleGuard, **options) -> BrowserContext:
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    # The CDN is unreachable here; failing fast exercises the local fallback
    # without waiting on DNS. Tests that need other CDN behaviour re-route it.
    context.route(CDN_PATTERN, lambda route: route.abort())
    guard.watch(context, scripts=options.get("java_script_enabled", True))
    return context


@pytest.fixture
def make_context(browser, console_guard) -> Iterator[Callable[..., BrowserContext]]:
    """New browser contexts (another reader, say), watched like the page's own."""
    contexts: list[BrowserContext] = []

    def _make(**options) -> BrowserContext:
        contexts.append(_new_context(browser, console_guard, **options))
        return contexts[-1]

    yield _make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def context(make_context) -> BrowserContext:
    return make_context()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


@pytest.fixture
def nojs_page(make_context) -> Page:
    """A page in a context with JavaScript disabled."""
    return make_context(java_script_enabled=False).new_page()


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


def settled_after(
    page: Page, action: Callable[[], object], source: str | None = None
) -> None:
    """Run action, then wait until htmx has swapped and settled its answer.

    With source (a CSS selector), only the answer to a request made by a
    matching element counts: an earlier swap still settling (htmx settles
    20 ms after it swaps) must not end the wait for the one action starts.
    """
    page.evaluate(
        """source => {
            window.folioSettled = 0;
            const count = event => {
                const config = event.detail.requestConfig;
                if (source && !(config && config.elt && config.elt.matches(source))) return;
                window.folioSettled += 1;
                document.removeEventListener('htmx:afterSettle', count);
            };
            document.addEventListener('htmx:afterSettle', count);
        }""",
        source,
    )
    action()
    poll(page, "window.folioSettled > 0")


def assert_no_axe_violations(page: Page, context=None) -> None:
    """Run axe-core on the page (or a part of it) and fail on any violation."""
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    server = SMTPServer().start()
    yield server
    server.stop()


def smtp_config(server: SMTPServer) -> dict:
    """A live server's settings to send its outbox to server at once."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": server.port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 2,
        "OUTBOX_WORKER": True,
        "OUTBOX_POLL_SECONDS": 1,
    }


def wait_for_mail(server: SMTPServer, count: int = 1, timeout: float = 15.0):
    """The count-th message the SMTP server received, once it has it."""
    deadline = time.monotonic() + timeout
    while len(server.messages) < count:
        assert time.monotonic() < deadline, "no mail received"
        time.sleep(0.05)
    return server.messages[count - 1]
