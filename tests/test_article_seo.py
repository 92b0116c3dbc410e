"""Per-article SEO fields: the head tags, JSON-LD, sitemap and feeds, the editor."""

from __future__ import annotations

import html as html_lib
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from models import Article
from models import Media
from models import Role
from models import db
from models import media_uses
from models import utcnow
from storage.sqlcount import count_statements
from tests.support.factories import make_article
from tests.support.images import add_media
from tests.support.images import image_bytes
from tests.support.staff_support import staff_client

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OWN = "http://localhost/articles/hello"
ELSEWHERE = "https://first.example/original?ref=1"


@pytest.fixture
def editor(app):
    client, _ = staff_client(app, Role.EDITOR)
    return client


def _article(app, **kw) -> int:
    with app.app_context():
        return make_article(
            title="Hello", slug="hello", summary="The summary.", **kw
        ).id


def _head(html: str) -> str:
    return html[: html.index("</head>")]


def _meta(html: str, attribute: str, name: str) -> str | None:
    found = re.search(
        rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html
    )
    return html_lib.unescape(found.group(1)) if found else None


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html)
    return json.loads(found.group(1))


def _page(client, path: str = "/articles/hello") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_defaults_are_derived_as_before(app, client):
    _article(app)
    page = _page(client)
    head = _head(page)
    assert "<title>Hello · Folio</title>" in head
    assert _meta(head, "name", "description") == "The summary."
    assert _meta(head, "property", "og:title") == "Hello"
    assert _meta(head, "name", "twitter:title") == "Hello"
    assert _meta(head, "property", "og:description") == "The summary."
    assert f'<link rel="canonical" href="{OWN}">' in head
    assert _meta(head, "property", "og:url") == OWN
    assert 'name="robots"' not in head
    data = _json_ld(page)
    assert data["url"] == OWN and data["mainEntityOfPage"]["@id"] == OWN
    assert data["description"] == "The summary." and data["headline"] == "Hello"


def test_description_falls_back_to_the_text(app, client):
    _article(app, body="A first paragraph of words.")
    with app.app_context():
        db.session.execute(update(Article).values(summary=""))
        db.session.commit()
    head = _head(_page(client))
    assert _meta(head, "name", "description") == "A first paragraph of words."


def test_overrides_reach_every_tag(app, client):
    _article(
        app,
        meta_title="Hello, searchers",
        meta_description="What search results say.",
        canonical_url=ELSEWHERE,
    )
    page = _page(client)
    head = _head(page)
    assert "<title>Hello, searchers · Folio</title>" in head
    assert _meta(head, "property", "og:title") == "Hello, searchers"
    assert _meta(head, "name", "twitter:title") == "Hello, searchers"
    assert _meta(head, "name", "description") == "What search results say."
    assert _meta(head, "property", "og:description") == "What search results say."
    assert _meta(head, "name", "twitter:description") == "What search results say."
    assert f'<link rel="canonical" href="{html_lib.escape(ELSEWHERE)}">' in head
    assert _meta(head, "property", "og:url") == ELSEWHERE
    data = _json_ld(page)
    assert data["url"] == ELSEWHERE and data["mainEntityOfPage"]["@id"] == ELSEWHERE
    assert data["description"] == "What search results say."
    # The article keeps its own heading, and its address is not redirected.
    assert '<h1 id="article-title">Hello</h1>' in page
    assert "The summary." in page


def test_noindex_asks_search_engines_to_skip_the_page_only(app, client):
    _article(app, noindex=True, tags=["Notes"])
    head = _head(_page(client))
    assert '<meta name="robots" content="noindex">' in head
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert OWN not in sitemap
    assert "http://localhost/tags/notes" in sitemap
    assert "Hello" in _page(client, "/") and "Hello" in _page(client, "/tags/notes")
    assert OWN in client.get("/feed.xml").get_data(as_text=True)


def test_sitemap_leaves_out_a_page_whose_canonical_is_elsewhere(app, client):
    _article(app, canonical_url=ELSEWHERE)
    with app.app_context():
        make_article(slug="own", canonical_url="http://localhost/articles/own")
        make_article(slug="plain")
    root = ET.fromstring(client.get("/sitemap.xml").data)
    locs = {url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")}
    assert OWN not in locs and ELSEWHERE not in locs
    assert "http://localhost/articles/own" in locs
    assert "http://localhost/articles/plain" in locs


def test_social_image_is_shared_before_the_cover(app, client):
    cover = add_media(app, image_bytes(colour=(10, 10, 10)), "cover.jpg", "Cover")
    social = add_media(app, image_bytes(colour=(200, 10, 10)), "social.jpg", "Card")
    _article(app, cover_id=cover.id, social_image_id=social.id)
    with app.app_context():
        sha = {m.id: m.sha256 for m in db.session.scalars(select(Media))}
    head = _head(_page(client))
    assert sha[social.id] in _meta(head, "property", "og:image")
    assert _meta(head, "property", "og:image:alt") == "Card"
    assert sha[social.id] in _meta(head, "name", "twitter:image")
    assert sha[social.id] in json.dumps(_json_ld(_page(client))["image"])
    feed = ET.fromstring(client.get("/feed.xml").data)
    enclosure = feed.find(f"{ATOM}entry/{ATOM}link[@rel='enclosure']")
    assert sha[social.id] in enclosure.get("href")
    # The cover still shows on the page itself.
    assert sha[cover.id] in _page(client)


def test_feeds_load_social_images_without_a_statement_each(make_app):
    counts = []
    for size in (2, 8):
        app = make_app()
        social = add_media(app, image_bytes(colour=(size, 9, 9)), f"s{size}.jpg")
        with app.app_context():
            for n in range(size):
                make_article(slug=f"s{size}-{n}", social_image_id=social.id)
        with count_statements(app) as log:
            assert app.test_client().get("/feed.xml").status_code == 200
        counts.append(len(log))
    assert counts[0] == counts[1], counts


def _age(app) -> None:
    with app.app_context():
        db.session.execute(
            update(Article).values(updated_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()


def test_social_image_endpoint_sets_it_as_a_use_and_moves_the_version(app, editor):
    media = add_media(app, alt="A card")
    article_id = _article(app)
    _age(app)
    with app.app_context():
        before = db.session.get(Article, article_id).updated_at
    url = f"/staff/articles/{article_id}/social-image"
    response = editor.post(url, data={"media_id": media.id})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/articles/{article_id}/edit"
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.social_image_id == media.id and article.updated_at > before
        used = db.session.scalars(
            select(media_uses.c.article_id).where(media_uses.c.media_id == media.id)
        ).all()
        assert used == [article_id]
    refused = editor.post(f"/staff/media/{media.id}/delete")
    assert refused.status_code == 409
    assert "Social image" in refused.get_data(as_text=True)
    detail = editor.get(f"/staff/media/{media.id}").get_data(as_text=True)
    assert "Social image" in detail
    removed = editor.post(
        url, data={"remove": "1"}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert removed.startswith('<div id="social-field"')
    assert "Social image removed." in removed
    assert editor.post(f"/staff/media/{media.id}/delete").status_code == 303


def test_social_image_refusals(app, editor):
    article_id = _article(app)
    url = f"/staff/articles/{article_id}/social-image"
    assert editor.post(url, data={"media_id": 99_999}).status_code == 404
    missing = editor.post(url, data={}, headers={"HX-Request": "true"})
    assert missing.status_code == 422
    assert "Choose an image for link previews." in missing.get_data(as_text=True)
    assert editor.post(url, data={"media_id": "x"}).status_code == 422


def test_picker_for_the_social_image(app, editor):
    media = add_media(app)
    article_id = _article(app)
    page = editor.get(f"/staff/media/picker?use=social&article_id={article_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="social-field"' in html and "Use for link previews" in html
    assert f'action="/staff/articles/{article_id}/social-image"' in html
    assert f'name="media_id" value="{media.id}"' in html
    assert 'name="use" value="social"' in html
    for query in (
        f"use=bogus&article_id={article_id}",
        "use=social&article_id=99999",
        "use=social&article_id=x",
        "use=avatar&user_id=",
        "use=avatar",
    ):
        assert editor.get(f"/staff/media/picker?{query}").status_code == 404, query
    # An empty use= is the cover's picker.
    cover = editor.get(f"/staff/media/picker?use=&article_id={article_id}")
    assert cover.status_code == 200 and 'id="cover-field"' in cover.text


def _editor_data(**overrides) -> dict:
    data = {
        "title": "Hello",
        "slug": "hello",
        "summary": "The summary.",
        "body": "Text.",
        "status": "published",
        "comments_open": "y",
        "meta_title": "",
        "meta_description": "",
        "canonical_url": "",
    }
    data.update(overrides)
    return data


def test_editor_saves_the_fields_and_the_page_follows(app, editor, client):
    article_id = _article(app)
    assert "<title>Hello · Folio</title>" in _page(client)  # now cached
    response = editor.post(
        f"/staff/articles/{article_id}",
        data=_editor_data(
            meta_title="  Found by searching ",
            meta_description="One\nline.",
            canonical_url=ELSEWHERE,
            noindex="y",
        ),
    )
    assert response.status_code == 303
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.meta_title == "Found by searching"
        assert article.meta_description == "One line."
        assert article.canonical_url == ELSEWHERE and article.noindex
    head = _head(_page(client))
    assert "<title>Found by searching · Folio</title>" in head
    assert '<meta name="robots" content="noindex">' in head
    edit = editor.get(f"/staff/articles/{article_id}/edit").get_data(as_text=True)
    assert '<details class="editor-box seo-box" id="seo-box" open>' in edit
    assert 'value="Found by searching"' in edit


def test_editor_box_is_closed_when_nothing_is_set(app, editor):
    article_id = _article(app)
    edit = editor.get(f"/staff/articles/{article_id}/edit").get_data(as_text=True)
    assert '<details class="editor-box seo-box" id="seo-box">' in edit
    assert '<div id="seo-preview"' in edit
    assert "Hello · Folio" in edit and OWN in edit


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("canonical_url", "javascript:alert(1)", "starting with https://"),
        ("canonical_url", "/articles/relative", "starting with https://"),
        ("canonical_url", "ftp://files.example/a", "starting with https://"),
        ("canonical_url", "https://", "starting with https://"),
        ("canonical_url", "https://a b.example/", "starting with https://"),
        ("canonical_url", "https://x.example/" + "a" * 500, "at most 500"),
        ("meta_title", "t" * 201, "at most 200"),
        ("meta_description", "d" * 301, "at most 300"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_editor_refuses_bad_fields_and_saves_nothing(
    app, editor, field, value, message, htmx
):
    article_id = _article(app)
    headers = {"HX-Request": "true"} if htmx else {}
    response = editor.post(
        f"/staff/articles/{article_id}",
        data=_editor_data(**{field: value}, title="Changed"),
        headers=headers,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert '<details class="editor-box seo-box" id="seo-box" open>' in html
    assert ("<!doctype html>" in html.lower()) is not htmx
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.title == "Hello" and getattr(article, field) == ""


def test_live_preview_answers_the_search_result_out_of_band(app, editor):
    response = editor.post(
        "/staff/articles/preview",
        data=_editor_data(meta_title="Shown title", meta_description="Said here."),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="preview"')
    assert '<div id="seo-preview" class="seo-preview" hx-swap-oob="true">' in html
    assert "Shown title · Folio" in html and "Said here." in html
    long = editor.post(
        "/staff/articles/preview",
        data=_editor_data(meta_title="x" * 70, canonical_url=ELSEWHERE, noindex="y"),
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "more than the about 60 results show" in long
    assert html_lib.escape(ELSEWHERE) in long
    assert "Hidden from search engines" in long


def test_plain_preview_button_shows_the_search_result_too(app, editor):
    html = editor.post(
        "/staff/articles/preview", data=_editor_data(meta_title="Plain preview")
    ).get_data(as_text=True)
    assert "<!doctype html>" in html.lower()
    assert "Plain preview · Folio" in html
