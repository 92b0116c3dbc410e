"""The console guard itself: what fails a browser test, and what does not."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ConsoleGuard
from tests.browser.conftest import poll
from tests.browser.conftest import wait_for_htmx


def _caught(guard: ConsoleGuard) -> list[str]:
    """What the guard holds; emptied, since these tests provoke it on purpose."""
    guard.flush()
    caught = list(guard.problems)
    guard.problems.clear()
    return caught


def test_aborted_cdn_load_is_the_only_failure_let_through(
    live_server, page, console_guard
):
    page.goto(live_server("/"))
    wait_for_htmx(page)
    assert any("net::ERR_FAILED" in m for m in page.console_log.errors)
    assert _caught(console_guard) == []


def test_style_attribute_written_by_a_script_is_a_csp_violation(
    live_server, page, console_guard
):
    page.goto(live_server("/"))
    wait_for_htmx(page)
    page.evaluate("document.querySelector('main').setAttribute('style', '')")
    caught = _caught(console_guard)
    assert any(
        p.startswith("CSP violation") and "style-src-attr" in p and "<main#main>" in p
        for p in caught
    ), caught
    assert any(p.startswith("console error") and "inline style" in p for p in caught)


def test_console_error_page_error_and_other_failed_loads_are_caught(
    live_server, page, console_guard
):
    page.goto(live_server("/"))
    wait_for_htmx(page)
    page.evaluate("console.error('boom from a script')")
    page.evaluate("setTimeout(() => { throw new Error('uncaught boom'); }, 0)")
    page.evaluate(
        "const s = document.createElement('script');"
        "s.onerror = () => { window.folioMissingFailed = true; };"
        "s.src = '/static/js/missing.js'; document.head.appendChild(s);"
    )
    poll(page, "window.folioMissingFailed === true")
    caught = _caught(console_guard)
    assert any("boom from a script" in p for p in caught), caught
    assert any(p.startswith("page error") and "uncaught boom" in p for p in caught)
    assert any("status of 404" in p for p in caught), caught


def test_a_page_the_test_opens_itself_is_watched(live_server, context, console_guard):
    other = context.new_page()
    other.goto(live_server("/"))
    other.evaluate("console.error('from another tab')")
    assert any("from another tab" in p for p in _caught(console_guard))


@pytest.mark.parametrize(
    ("allowed", "left"),
    [
        (None, ["console error (x): 422", "CSP violation (x): style-src-attr"]),
        ([""], []),
        (["422"], ["CSP violation (x): style-src-attr"]),
    ],
)
def test_the_marker_allows_only_the_texts_it_names(allowed, left):
    guard = ConsoleGuard()
    guard.problems += ["console error (x): 422", "CSP violation (x): style-src-attr"]
    assert guard.unexpected(allowed) == left
