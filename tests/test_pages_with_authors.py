"""Pages beside author pages and the "Search & social" fields (both merged):
a page has no byline or author in its JSON-LD, never shows on an author page,
keeps to /<slug> in the sitemap and the editor's search preview, and its
image fields speak of a page."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from blueprints.articles.publishing import reserved_slugs
from models import Role
from tests.support.factories import make_article
from tests.support.factories import make_page
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.staff_support import staff_client

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def editor(app):
    client, _ = staff_client(app, Role.EDITOR)
    return client


def _locs(client) -> set[str]:
    root = ET.fromstring(client.get("/sitemap.xml").data)
    return {url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")}


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html)
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_author_page_lists_articles_never_pages(app, client):
    with app.app_context():
        ada = make_user(display_name="Ada Lovelace", slug="ada")
        make_article("Engines", slug="engines", author=ada)
        make_page("About us", slug="about", author=ada)
    html = client.get("/authors/ada").get_data(as_text=True)
    assert "Engines" in html and "About us" not in html
    feed = client.get("/authors/ada/feed.xml").get_data(as_text=True)
    assert "Engines" in feed and "About us" not in feed


def test_an_author_of_pages_only_has_no_author_page(app, client):
    with app.app_context():
        grace = make_user(display_name="Grace Hopper", slug="grace")
        make_page("About us", slug="about", author=grace)
    assert client.get("/authors/grace").status_code == 404
    assert client.get("/authors/grace/feed.xml").status_code == 404
    assert "http://localhost/authors/grace" not in _locs(client)
    assert "http://localhost/about" in _locs(client)


def test_a_page_shows_no_byline_and_its_json_ld_names_no_author(app, client):
    with app.app_context():
        ada = make_user(display_name="Ada Lovelace", slug="ada")
        make_page("About us", slug="about", author=ada, meta_description="Who.")
    html = client.get("/about").get_data(as_text=True)
    assert "/authors/ada" not in html and "Ada Lovelace" not in html
    data = _json_ld(html)
    assert data["@type"] == "WebPage" and "author" not in data
    assert data["url"] == "http://localhost/about"
    assert data["description"] == "Who."


def test_a_page_s_seo_fields_and_the_sitemap_rules(app, client):
    with app.app_context():
        make_page("About us", slug="about", meta_title="About Folio")
        make_page("Hidden", slug="hidden", noindex=True)
        make_page("Copied", slug="copied", canonical_url="https://first.example/x")
        make_page("Own", slug="own", canonical_url="http://localhost/own")
    html = client.get("/about").get_data(as_text=True)
    assert "<title>About Folio" in html
    assert '<link rel="canonical" href="http://localhost/about">' in html
    hidden = client.get("/hidden").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in hidden
    locs = _locs(client)
    assert "http://localhost/about" in locs and "http://localhost/own" in locs
    assert not {"http://localhost/hidden", "http://localhost/copied"} & locs
    assert not any("/articles/" in loc for loc in locs)


def test_author_routes_are_reserved_for_pages(app):
    with app.test_request_context():
        rules = {rule.rule for rule in app.url_map.iter_rules()}
        taken = reserved_slugs()
    assert "/authors/<slug>" in rules and "/authors/<slug>/feed.xml" in rules
    assert "authors" in taken


def test_page_editor_search_preview_uses_the_page_s_address(app, editor):
    with app.app_context():
        page_id = make_page("About us", slug="about").id
    html = editor.get(f"/staff/pages/{page_id}/edit").get_data(as_text=True)
    assert 'class="seo-result-url">http://localhost/about</p>' in html
    assert "Empty: the page’s title." in html
    assert "write a summary" not in html
    live = editor.post(
        "/staff/articles/preview",
        data={"title": "About us", "slug": "about", "body": "", "kind": "page"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert 'class="seo-result-url">http://localhost/about</p>' in live
    assert "No description yet: write some text." in live


def test_page_cover_field_does_not_speak_of_cards(app, editor):
    add_media(app)
    with app.app_context():
        page_id = make_page("About us", slug="about").id
        article_id = make_article("Engines").id
    page = editor.get(f"/staff/pages/{page_id}/edit").get_data(as_text=True)
    assert "No cover image." in page and "cards show" not in page
    article = editor.get(f"/staff/articles/{article_id}/edit").get_data(as_text=True)
    assert "cards show a colour block" in article
    picker = editor.get(f"/staff/media/picker?use=cover&article_id={page_id}")
    assert f'href="/staff/pages/{page_id}/edit">Back to the page</a>' in picker.text
    chosen = editor.post(
        f"/staff/articles/{page_id}/social-image", data={"remove": "1"}
    )
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == f"/staff/pages/{page_id}/edit"
