"""Atom feeds, sitemap, robots.txt, page metadata and the staff preview hook."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from blueprints.articles.page import render_article_preview
from blueprints.articles.publishing import set_body
from models import Article
from models import ArticleStatus
from tests.support.factories import make_article
from tests.support.factories import make_user

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _rfc3339(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _seed(app):
    with app.app_context():
        author = make_user(display_name="Feed Author")
        make_article(
            title="Tom & Jerry <3",
            slug="tom",
            tags=["Cartoons"],
            author=author,
            body="## Hi\n\n[home](/articles/other) ![img](/static/x.png)\n\n<script>bad()</script>",
        )
        make_article(title="Second", slug="second", tags=["Other"])
        make_article(title="Hidden draft", slug="hidden", status=ArticleStatus.DRAFT)


@pytest.mark.parametrize("path", ["/feed.xml", "/tags/cartoons/feed.xml"])
def test_feed_is_valid_atom(app, client, path):
    _seed(app)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, name
    _rfc3339(root.find(f"{ATOM}updated").text)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"].endswith(path)
    assert all(_absolute(href) for href in links.values())
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated", "published", "content", "summary"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        _rfc3339(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}id").text.startswith("tag:")
        assert _absolute(entry.find(f"{ATOM}link").get("href"))
        # An author for every entry: its own or the feed's.
        assert (
            entry.find(f"{ATOM}author") is not None
            or root.find(f"{ATOM}author") is not None
        )
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert "Hidden draft" not in titles


def test_feed_content_is_sanitized_and_absolute(app, client):
    _seed(app)
    root = ET.fromstring(client.get("/feed.xml").data)
    entry = next(
        e
        for e in root.findall(f"{ATOM}entry")
        if e.find(f"{ATOM}title").text == "Tom & Jerry <3"
    )
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    html = content.text
    assert "<script>" not in html
    assert 'href="http://localhost/articles/other"' in html
    assert 'src="http://localhost/static/x.png"' in html
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Feed Author"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["cartoons"]


def test_tag_feed_only_has_that_tag(app, client):
    _seed(app)
    root = ET.fromstring(client.get("/tags/other/feed.xml").data)
    assert [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")] == [
        "Second"
    ]
    assert client.get("/tags/nope/feed.xml").status_code == 404


def test_feed_uses_site_url(make_app):
    app = make_app(SITE_URL="https://blog.example.com/")
    _seed(app)
    body = app.test_client().get("/feed.xml").get_data(as_text=True)
    assert 'href="https://blog.example.com/feed.xml"' in body
    assert "tag:blog.example.com," in body
    assert "http://localhost" not in body


def test_empty_feed_is_valid(client):
    root = ET.fromstring(client.get("/feed.xml").data)
    assert root.find(f"{ATOM}updated").text
    assert root.findall(f"{ATOM}entry") == []


def test_feed_strips_characters_xml_forbids(app, client):
    with app.app_context():
        make_article(title="Bell\x07 title", slug="bell")
    root = ET.fromstring(client.get("/feed.xml").data)
    assert root.find(f"{ATOM}entry/{ATOM}title").text == "Bell title"


@pytest.mark.parametrize(
    "path", ["/feed.xml", "/tags/cartoons/feed.xml", "/sitemap.xml"]
)
def test_feeds_are_public_and_conditional(app, client, path):
    _seed(app)
    first = client.get(path)
    assert first.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in first.headers
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    since = client.get(
        path, headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_feed_etag_changes_with_new_article(app, client):
    _seed(app)
    etag = client.get("/feed.xml").headers["ETag"]
    with app.app_context():
        make_article(slug="newest")
    assert client.get("/feed.xml", headers={"If-None-Match": etag}).status_code == 200


def test_sitemap_lists_articles_and_tags_with_lastmod(app, client):
    _seed(app)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    urls = {}
    for url in root.findall(f"{SITEMAP}url"):
        loc = url.find(f"{SITEMAP}loc").text
        assert _absolute(loc)
        lastmod = url.find(f"{SITEMAP}lastmod")
        assert lastmod is not None
        _rfc3339(lastmod.text)
        urls[urlsplit(loc).path] = lastmod.text
    assert {
        "/",
        "/articles/tom",
        "/articles/second",
        "/tags/cartoons",
        "/tags/other",
    } <= set(urls)
    assert "/articles/hidden" not in urls


def test_favicon_ico_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"
    assert "max-age=604800" in response.headers["Cache-Control"]


def test_pages_link_their_icons_and_the_icons_exist(client):
    html = client.get("/").get_data(as_text=True)
    icons = re.findall(r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"', html)
    assert {rel for rel, _ in icons} == {"icon", "apple-touch-icon"}
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
    types = {}
    for _, href in icons:
        response = client.get(href)
        assert response.status_code == 200, href
        types[href] = response.mimetype
    assert types["/static/favicon.svg"] == "image/svg+xml"
    assert types["/static/apple-touch-icon.png"] == "image/png"


def test_robots_points_to_sitemap(client):
    response = client.get("/robots.txt")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert "User-agent: *" in body
    assert "Sitemap: http://localhost/sitemap.xml" in body
    assert "Disallow: /staff/" in body


def _head(html: str) -> str:
    return html[: html.index("</head>")]


def test_article_metadata(app, client):
    _seed(app)
    html = client.get("/articles/tom").get_data(as_text=True)
    head = _head(html)
    assert "<title>Tom &amp; Jerry &lt;3 · Folio</title>" in head
    assert '<meta name="description" content="Summary of article' in head
    assert '<link rel="canonical" href="http://localhost/articles/tom">' in head
    assert '<meta property="og:type" content="article">' in head
    assert '<meta property="og:title" content="Tom &amp; Jerry &lt;3">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert 'rel="alternate" type="application/atom+xml"' in head
    match = re.search(
        r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>',
        head,
        re.S,
    )
    assert match
    csp = client.get("/articles/tom").headers["Content-Security-Policy"]
    assert "'nonce-" in csp
    data = json.loads(match.group(2))
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Tom & Jerry <3"
    assert data["author"]["name"] == "Feed Author"
    assert data["url"] == "http://localhost/articles/tom"
    _rfc3339(data["datePublished"])
    # The JSON cannot close the script element early.
    assert "</" not in match.group(2) and "<3" not in match.group(2)


def test_json_ld_cannot_break_out_of_the_script(app, client):
    with app.app_context():
        make_article(slug="break", title="</script><script>alert(1)</script>")
    html = client.get("/articles/break").get_data(as_text=True)
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "http://localhost/"),
        ("/?page=2", "http://localhost/?page=2"),
        ("/tags/cartoons", "http://localhost/tags/cartoons"),
        ("/search?q=tom", "http://localhost/search"),
    ],
)
def test_list_pages_have_metadata(make_app, path, canonical):
    app = make_app(ARTICLES_PER_PAGE=1)
    _seed(app)
    head = _head(app.test_client().get(path).get_data(as_text=True))
    assert f'<link rel="canonical" href="{canonical}">' in head
    assert 'property="og:title"' in head
    assert 'name="twitter:card"' in head
    assert '<meta name="description" content="' in head


def test_canonical_uses_site_url(make_app):
    app = make_app(SITE_URL="https://blog.example.com")
    _seed(app)
    head = _head(app.test_client().get("/articles/tom").get_data(as_text=True))
    assert '<link rel="canonical" href="https://blog.example.com/articles/tom">' in head


def test_preview_of_an_unsaved_article(app):
    article = Article(title="Not saved yet", slug="unsaved", summary=None, tags=[])
    with app.test_request_context("/"):
        # Rendering a body looks up its library images: it needs the app.
        set_body(article, "## One\n\ntext")
        html = render_article_preview(article).get_data(as_text=True)
    assert "Not saved yet" in html
    assert "Not published" in html
