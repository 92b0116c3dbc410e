"""Every page's head carries one canonical URL and one set of link-preview tags."""

from __future__ import annotations

import re

import pytest

from tests.support.factories import make_article
from tests.support.factories import make_comment

PUBLIC_PAGES = [
    "/",
    "/?page=2",
    "/articles/first",
    "/tags/notes",
    "/search?q=first",
    "/search",
    "/contact/",
    "/contact/thanks",
    "/staff/login",
    "/no-such-page",
    "/articles/no-such-article",
]


@pytest.fixture
def seeded(make_app):
    """An app with two articles (one page each), a tag and a comment."""
    app = make_app(ARTICLES_PER_PAGE=1)
    with app.app_context():
        first = make_article(slug="first", title="First", tags=["Notes"])
        make_article(slug="second", title="Second", tags=["Notes"])
        make_comment(first)
    return app


def _head(html: str) -> str:
    return html[: html.index("</head>")]


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_has_one_canonical_and_one_set_of_og_tags(seeded, path):
    response = seeded.test_client().get(path)
    assert response.status_code in (200, 404)
    head = _head(response.get_data(as_text=True))
    assert _count(r'<link rel="canonical" href="http://localhost/', head) == 1
    assert _count(r'<link rel="canonical"', head) == 1
    for tag in ("og:title", "og:url", "og:description", "og:type", "og:site_name"):
        assert _count(rf'<meta property="{tag}"', head) == 1, tag
    for tag in ("twitter:card", "twitter:title", "twitter:description"):
        assert _count(rf'<meta name="{tag}"', head) == 1, tag
    assert _count(r'<meta name="description" content="[^"]+">', head) == 1
    assert _count(r'<meta name="robots"', head) <= 1


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/contact/?utm_source=x", "http://localhost/contact/"),
        ("/staff/login?next=/staff/", "http://localhost/staff/login"),
        ("/no-such-page?x=1", "http://localhost/no-such-page"),
    ],
)
def test_default_canonical_drops_the_query(seeded, path, canonical):
    head = _head(seeded.test_client().get(path).get_data(as_text=True))
    assert f'<link rel="canonical" href="{canonical}">' in head
    assert f'<meta property="og:url" content="{canonical}">' in head


def test_default_canonical_uses_site_url(make_app):
    app = make_app(SITE_URL="https://blog.example.com/")
    head = _head(app.test_client().get("/contact/").get_data(as_text=True))
    assert '<link rel="canonical" href="https://blog.example.com/contact/">' in head


def test_page_title_is_the_og_title(make_app):
    app = make_app(CONTACT_INTRO="Write to us & we answer.")
    head = _head(app.test_client().get("/contact/").get_data(as_text=True))
    assert '<meta property="og:title" content="Contact us">' in head
    description = "Write to us &amp; we answer."
    assert f'<meta name="description" content="{description}">' in head
    assert f'<meta property="og:description" content="{description}">' in head


def test_error_pages_are_not_indexed(seeded):
    response = seeded.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert '<meta name="robots" content="noindex">' in _head(
        response.get_data(as_text=True)
    )


def test_staff_pages_have_the_tags_once(seeded):
    from models import Role
    from tests.support.staff_support import staff_client

    client, _ = staff_client(seeded, Role.ADMIN)
    for path in ("/staff/", "/staff/articles", "/staff/comments", "/staff/inbox"):
        response = client.get(path)
        assert response.status_code == 200, path
        head = _head(response.get_data(as_text=True))
        assert _count(r'<link rel="canonical"', head) == 1, path
        assert _count(r'<meta property="og:title"', head) == 1, path
        assert _count(r'<meta name="robots" content="noindex">', head) == 1, path


def test_default_tags_escape_once(make_app):
    app = make_app(SITE_DESCRIPTION="Notes <b>&</b> news")
    head = _head(app.test_client().get("/staff/login").get_data(as_text=True))
    text = "Notes &lt;b&gt;&amp;&lt;/b&gt; news"
    assert f'<meta name="description" content="{text}">' in head
    assert f'<meta property="og:description" content="{text}">' in head
    assert f'<meta name="twitter:description" content="{text}">' in head
