"""The inertness checker itself: it must catch what it is meant to catch."""

import pytest

from tests.support.inert import problems

BASE = (
    '<html><head><script defer src="/static/js/folio.js"></script></head>'
    '<body hx-headers="{}"><div id="alerts"></div><main><p>Hi</p></main></body></html>'
)


@pytest.mark.parametrize(
    "injected",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<div hx-get="/" hx-trigger="load">x</div>',
        '<div id="alerts" hx-swap-oob="true">x</div>',
        "<b id=xss>x</b>",
        "<svg></svg>",
        "<iframe></iframe>",
        '<p style="color:red">x</p>',
        "<p>foliofoliofolio</p>",
        '<script type="application/ld+json">{"a": "</script><b id=xss>"}</script>',
    ],
)
def test_checker_catches_live_markup(injected):
    assert problems(BASE.replace("<p>Hi</p>", injected), BASE)


@pytest.mark.parametrize(
    "escaped",
    [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        '<a href="https://example.org/" rel="nofollow">javascript:alert(1)</a>',
        "<p>{{ 'folio' * 3 }}</p>",
    ],
)
def test_checker_passes_escaped_text(escaped):
    assert problems(BASE.replace("<p>Hi</p>", escaped), BASE) == []


def test_checker_allows_json_ld_data():
    ld = '<script type="application/ld+json">{"headline": "%s"}</script>'
    baseline = BASE.replace("<p>Hi</p>", ld % "Hello")
    page = BASE.replace("<p>Hi</p>", ld % "\\u003cscript\\u003ealert(1)")
    assert problems(page, baseline) == []
