"""Pages (About, Privacy) for readers: at /<slug>, never listed, cached like articles."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from blueprints.articles.publishing import change_slug
from blueprints.articles.publishing import reserved_slugs
from models import Article
from models import ArticleStatus
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_page
from tests.support.staff_support import staff_client


@pytest.fixture
def about(app):
    """A published page at /about and a published article tagged "Notes"."""
    with app.app_context():
        page = make_page(
            "About us",
            slug="about",
            body="## Who we are\n\nA small team of pelican watchers.\n",
        )
        make_article("Field notes", slug="field-notes", tags=["Notes"], body="pelican")
        return page.id


def _html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_page_is_served_at_its_slug(client, about):
    html = _html(client, "/about")
    assert '<h1 id="article-title">About us</h1>' in html
    assert "pelican watchers" in html
    assert '<link rel="canonical" href="http://localhost/about">' in html
    assert '<meta property="og:type" content="website">' in html


def test_page_shows_no_date_byline_tags_or_neighbours(app, client, about):
    html = _html(client, "/about")
    for absent in (
        'class="byline"',
        "min read",
        'class="tags"',
        'class="neighbours"',
        "article:published_time",
        'id="comments"',
    ):
        assert absent not in html, absent
    data = json.loads(
        re.search(
            r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S
        )
        .group(1)
        .replace("<\\/", "</")
    )
    assert data["@type"] == "WebPage"
    assert data["name"] == "About us"
    assert "author" not in data and "datePublished" not in data


@pytest.mark.parametrize(
    ("path", "location"),
    [("/pages/about", "/about"), ("/about/", "/about"), ("/pages/nothing", "/nothing")],
)
def test_other_addresses_of_a_page_redirect_permanently(client, about, path, location):
    response = client.get(path)
    assert response.status_code == 308
    assert response.headers["Location"] == location


def test_old_slug_of_a_page_redirects(app, client, about):
    with app.app_context():
        change_slug(db.session.get(Article, about), "who-we-are")
        db.session.commit()
    response = client.get("/about")
    assert response.status_code == 301
    assert response.headers["Location"] == "/who-we-are"
    assert "pelican watchers" in _html(client, "/who-we-are")


@pytest.mark.parametrize(
    "path", ["/articles/about", "/field-notes", "/tags", "/no-such-page"]
)
def test_pages_and_articles_keep_to_their_own_addresses(client, about, path):
    assert client.get(path).status_code == 404


def test_fixed_routes_win_over_pages(client, about):
    assert client.get("/search").status_code == 200
    assert client.get("/staff").status_code == 308
    assert client.get("/contact").status_code == 308
    assert client.get("/sitemap.xml").status_code == 200


@pytest.mark.parametrize(
    "state",
    [
        {"status": ArticleStatus.DRAFT, "published_ago": None},
        {"published_ago": timedelta(days=-1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_page_is_404_for_readers_and_a_preview_for_staff(app, state):
    with app.app_context():
        page_id = make_page("Imprint", slug="imprint", body="Legal words.", **state).id
    assert app.test_client().get("/imprint").status_code == 404
    staff, _ = staff_client(app)
    assert staff.get("/imprint").status_code == 404
    preview = staff.get(f"/staff/pages/{page_id}/preview")
    assert preview.status_code == 200
    assert preview.headers["X-Robots-Tag"] == "noindex"
    html = preview.get_data(as_text=True)
    assert "Legal words." in html
    assert f'href="/staff/pages/{page_id}/edit">Back to the editor' in html


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/feed.xml",
        "/search?q=pelican",
        "/sitemap.xml",
    ],
)
def test_pages_are_never_listed(app, client, path):
    with app.app_context():
        make_page("Pelican page", slug="pelican-page", body="pelican")
        make_article("Pelican article", slug="pelican-article", body="pelican")
    text = _html(client, path)
    assert "Pelican article" in text or "/articles/pelican-article" in text
    assert "Pelican page" not in text
    assert "/articles/pelican-page" not in text


def test_pages_are_not_in_tag_lists_feeds_or_the_tag_cloud(app, client):
    with app.app_context():
        page = make_page("Tagged page", slug="tagged-page", tags=["Birds"])
        assert page.tags  # only possible by hand: the editor gives pages no tags
        make_article("Tagged article", slug="tagged-article", tags=["Birds"])
    for path in ("/tags/birds", "/tags/birds/feed.xml", "/"):
        text = _html(client, path)
        assert "Tagged page" not in text, path
    home = _html(client, "/")
    assert 'href="/tags/birds">Birds <span class="tag-count">1<' in home


def test_a_page_is_nobody_s_neighbour(app, client):
    with app.app_context():
        make_article("Older", slug="older", published_ago=timedelta(days=3))
        make_page("Between", slug="between", published_ago=timedelta(days=2))
        make_article("Newer", slug="newer", published_ago=timedelta(days=1))
    html = _html(client, "/articles/older")
    assert 'href="/articles/newer"' in html
    assert "Between" not in html


def test_sitemap_lists_pages_at_their_address(app, client, about):
    with app.app_context():
        make_page("Draft page", slug="draft-page", status=ArticleStatus.DRAFT)
    text = _html(client, "/sitemap.xml")
    assert "<loc>http://localhost/about</loc>" in text
    assert "<loc>http://localhost/articles/field-notes</loc>" in text
    assert "draft-page" not in text


def test_page_comments_are_off_by_default_and_shown_when_allowed(app, client, about):
    assert 'id="comments"' not in _html(client, "/about")
    refused = client.post(
        "/articles/about/comments",
        data={"author": "Ann", "email": "ann@example.org", "comment": "Hello there"},
    )
    assert refused.status_code == 403
    with app.app_context():
        db.session.get(Article, about).comments_open = True
        db.session.commit()
    html = _html(client, "/about")
    assert 'id="comments"' in html
    assert 'action="/articles/about/comments"' in html


def test_a_comment_on_a_page_leads_back_to_the_page(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False)
    with app.app_context():
        page = make_page("Guestbook", slug="guestbook", comments_open=True)
        make_comment(page, body="An earlier visit.")
    client = app.test_client()
    html = _html(client, "/guestbook")
    stamp = re.search(r'name="rendered_at" type="hidden" value="([^"]+)"', html)
    response = client.post(
        "/articles/guestbook/comments",
        data={
            "author": "Ann",
            "email": "ann@example.org",
            "comment": "Lovely pelicans.",
            "rendered_at": stamp.group(1),
        },
    )
    assert response.status_code == 303
    assert re.fullmatch(r"/guestbook#comment-\d+", response.headers["Location"])
    html = _html(client, "/guestbook")
    assert "Lovely pelicans." in html
    assert 'href="/guestbook?replytocom=' in html
    assert "/articles/guestbook?" not in html


def test_page_is_served_from_the_cache_and_changes_with_an_edit(app, client, about):
    first = _html(client, "/about")
    with sqlcount.count_statements(app) as log:
        again = _html(app.test_client(), "/about")
    assert len(log) == 1
    assert "pelican watchers" in again and "pelican watchers" in first
    with app.app_context():
        db.session.get(Article, about).title = "About the team"
        db.session.commit()
    assert '<h1 id="article-title">About the team</h1>' in _html(client, "/about")


def test_page_miss_costs_the_same_whatever_the_site_holds(app):
    with app.app_context():
        make_page("About", slug="about")
    counts = []
    for articles in (1, 11):
        with app.app_context():
            for _ in range(articles):
                make_article(tags=["Notes"])
        # Each round is a new version, so a miss.
        with sqlcount.count_statements(app) as log:
            assert app.test_client().get("/about").status_code == 200
        counts.append(len(log))
    # The version, and the page: no neighbours, no comment section, and the
    # menus (none) known from the version.
    assert counts == [2, 2], counts


def test_reserved_slugs_come_from_the_routes(app):
    with app.test_request_context():
        taken = reserved_slugs()
    for name in (
        "staff",
        "media",
        "contact",
        "search",
        "tags",
        "articles",
        "static",
        "assets",
        "healthz",
        "avatars",
        "pages",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
        "authors",
        "account",
        "api",
    ):
        assert name in taken, name
    assert "about" not in taken and "privacy" not in taken


@pytest.mark.parametrize(
    "slug", ["%00", "..%2F..%2Fetc%2Fpasswd", "a" * 3000, "%E2%80%AE", "%FF", "'--"]
)
@pytest.mark.parametrize("prefix", ["/", "/pages/"])
def test_page_slug_junk_is_a_clear_4xx(client, about, prefix, slug):
    response = client.get(prefix + slug, follow_redirects=True)
    # NUL: PostgreSQL refuses it in a query (400, see errors.py); SQLite finds nothing.
    assert response.status_code in ({400, 404} if slug == "%00" else {404})
