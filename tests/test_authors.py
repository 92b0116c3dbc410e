"""Author pages and feeds, bylines, JSON-LD and Atom authors, the sitemap's authors."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from blueprints.articles.publishing import rerender_articles_showing
from models import Article
from models import ArticleStatus
from models import User
from models import db
from models import utcnow
from storage.sqlcount import count_statements
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
EMAIL = "ada.private@example.com"


def _author(app, **kw) -> dict:
    """Ada, with a bio, a website, two published articles, a draft and a scheduled one."""
    with app.app_context():
        ada = make_user(
            email=EMAIL,
            display_name="Ada Lovelace",
            bio="I write *notes*. [More](https://ada.example/about)",
            bio_html=(
                '<p>I write <em>notes</em>. <a rel="nofollow noopener" '
                'href="https://ada.example/about">More</a></p>'
            ),
            website="https://ada.example/",
            **kw,
        )
        make_article(title="Engines", slug="engines", author=ada, tags=["Maths"])
        make_article(
            title="Notes", slug="notes", author=ada, published_ago=timedelta(days=2)
        )
        make_article(
            title="Secret draft",
            slug="draft",
            author=ada,
            status=ArticleStatus.DRAFT,
            published_ago=None,
        )
        make_article(
            title="Tomorrow", slug="tomorrow", author=ada, published_ago=-timedelta(1)
        )
        other = make_user(display_name="Grace Hopper")
        make_article(title="Compilers", slug="compilers", author=other)
        return {"ada": ada.id, "slug": ada.slug, "other": other.slug}


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html)
    return json.loads(found.group(1))


def test_new_accounts_get_unique_ascii_slugs(app):
    with app.app_context():
        first = make_user(display_name="Zoë Ångström")
        second = make_user(display_name="Zoë Ångström")
        reserved = make_user(display_name="Feed")
        nameless = make_user(display_name="!!!")
        assert first.slug == "zoe-angstrom"
        assert second.slug == "zoe-angstrom-2"
        assert reserved.slug == "feed-author"
        assert nameless.slug == "author"


def test_author_page_shows_the_profile_and_published_articles(app, client):
    ids = _author(app)
    response = client.get(f"/authors/{ids['slug']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<h1 class="page-title">Ada Lovelace</h1>' in html
    assert "I write <em>notes</em>." in html
    assert '<a href="https://ada.example/" rel="me noopener">ada.example</a>' in html
    assert "Engines" in html and "Notes" in html
    assert html.index("Engines") < html.index("Notes")  # newest first
    for absent in ("Secret draft", "Tomorrow", "Compilers", EMAIL, "ada.private"):
        assert absent not in html
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Folio: Ada '
        f'Lovelace" href="/authors/{ids["slug"]}/feed.xml">'
    ) in html
    assert (
        f'<link rel="canonical" href="http://localhost/authors/{ids["slug"]}">' in html
    )
    assert '<meta property="og:type" content="profile">' in html
    data = _json_ld(html)
    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"] == {
        "@type": "Person",
        "name": "Ada Lovelace",
        "url": f"http://localhost/authors/{ids['slug']}",
    }


@pytest.mark.parametrize(
    "setup",
    ["unknown", "drafts only", "inactive without articles", "moderator"],
)
def test_author_page_is_404_without_published_articles(app, client, setup):
    with app.app_context():
        user = make_user(display_name="Nobody Yet", is_active=setup != "inactive")
        if setup == "drafts only":
            make_article(author=user, status=ArticleStatus.DRAFT, published_ago=None)
        slug = "no-such-author" if setup == "unknown" else user.slug
    assert client.get(f"/authors/{slug}").status_code == 404
    assert client.get(f"/authors/{slug}/feed.xml").status_code == 404


def test_an_inactive_author_keeps_the_page_of_their_articles(app, client):
    ids = _author(app)
    with app.app_context():
        db.session.get(User, ids["ada"]).is_active = False
        db.session.commit()
    assert client.get(f"/authors/{ids['slug']}").status_code == 200


def test_author_page_pages_like_the_tag_page(make_app, htmx_headers):
    app = make_app(ARTICLES_PER_PAGE=1)
    ids = _author(app)
    client = app.test_client()
    first = client.get(f"/authors/{ids['slug']}").get_data(as_text=True)
    assert f'href="/authors/{ids["slug"]}?page=2"' in first
    second = client.get(f"/authors/{ids['slug']}?page=2")
    assert second.status_code == 200
    assert "Notes" in second.get_data(as_text=True)
    more = client.get(f"/authors/{ids['slug']}?page=2", headers=htmx_headers)
    fragment = more.get_data(as_text=True)
    assert fragment.lstrip().startswith(
        '<div class="article-page" id="articles-page-2"'
    )
    assert "<html" not in fragment and "Notes" in fragment
    assert "HX-Request" in more.headers["Vary"]
    assert client.get(f"/authors/{ids['slug']}?page=3").status_code == 404
    assert client.get(f"/authors/{ids['slug']}?page=x").status_code == 400


def _many(app, count: int, avatar: int | None = None) -> str:
    with app.app_context():
        author = make_user(display_name="Prolific Writer", avatar_id=avatar)
        for n in range(count):
            make_article(
                title=f"Piece {n}",
                slug=f"piece-{count}-{n}",
                author=author,
                tags=[f"Tag {n % 3}"],
                published_ago=timedelta(hours=n + 1),
            )
        return author.slug


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        # The version, the author (avatar joined), the cards, their tags.
        ("/authors/{slug}", 4),
        ("/authors/{slug}?page=2", 4),
        ("/authors/{slug}/feed.xml", 3),
        # As before avatars: the version, the tag cloud's check and its tags.
        ("/", 5),
    ],
)
def test_statements_do_not_grow_with_articles_or_avatars(make_app, path, limit):
    counts = []
    for size in (3, 12):
        app = make_app(ARTICLES_PER_PAGE=2)
        avatar = add_media(app, image_bytes("PNG", (300, 300)), "me.png").id
        slug = _many(app, size, avatar)
        with count_statements(app) as log:
            response = app.test_client().get(path.format(slug=slug))
        assert response.status_code == 200, response.status_code
        counts.append(len(log))
    assert counts[0] == counts[1], counts
    assert counts[0] <= limit, counts


def test_author_page_is_cached_and_a_profile_edit_is_a_new_version(app, client):
    ids = _author(app)
    url = f"/authors/{ids['slug']}"
    client.get(url)
    with count_statements(app) as log:
        assert client.get(url).status_code == 200
    assert len(log) == 1  # the version alone
    with app.app_context(), write_transaction():
        db.session.get(User, ids["ada"]).bio_html = "<p>Now writing poems.</p>"
    assert "Now writing poems." in client.get(url).get_data(as_text=True)


def test_author_page_follows_its_avatar(app, client):
    media = add_media(app, image_bytes("PNG", (400, 400)), "ada.png", "Ada")
    ids = _author(app, avatar_id=media.id)
    url = f"/authors/{ids['slug']}"
    html = client.get(url).get_data(as_text=True)
    assert 'class="avatar avatar-photo"' in html and 'alt=""' in html
    assert '<meta property="og:image" content="http://localhost/media/' in html
    image = _json_ld(html)["mainEntity"]["image"]
    assert image.startswith("http://localhost/media/")
    with app.app_context(), write_transaction():
        db.session.get(User, ids["ada"]).avatar_id = None
    assert "avatar-photo" not in client.get(url).get_data(as_text=True)


def test_byline_links_to_the_author_page_everywhere(app, client):
    ids = _author(app)
    link = f'<a class="byline-author" rel="author" href="/authors/{ids["slug"]}">'
    for path in ("/", "/tags/maths", "/articles/engines", "/search?q=engines"):
        html = client.get(path).get_data(as_text=True)
        assert link + "Ada Lovelace</a>" in html, path
        assert EMAIL not in html, path


def test_byline_shows_the_avatar_picture_or_the_initials(app, client):
    media = add_media(app, image_bytes("PNG", (400, 400)), "ada.png", "Ada")
    ids = _author(app, avatar_id=media.id)
    article = client.get("/articles/engines").get_data(as_text=True)
    byline = article[article.index('<div class="byline">') :][:1500]
    assert 'class="avatar avatar-photo"' in byline
    other = client.get("/articles/compilers").get_data(as_text=True)
    assert '<span class="avatar avatar-initials" aria-hidden="true">GH</span>' in other
    assert ids


def test_json_ld_author_is_a_person_with_the_author_page(app, client):
    ids = _author(app)
    data = _json_ld(client.get("/articles/engines").get_data(as_text=True))
    assert data["author"] == {
        "@type": "Person",
        "name": "Ada Lovelace",
        "url": f"http://localhost/authors/{ids['slug']}",
    }
    media = add_media(app, image_bytes("PNG", (400, 400)), "ada.png")
    with app.app_context(), write_transaction():
        db.session.get(User, ids["ada"]).avatar_id = media.id
    data = _json_ld(client.get("/articles/engines").get_data(as_text=True))
    assert data["author"]["image"].startswith("http://localhost/media/")


def test_author_feed_has_their_published_articles_and_no_email(app, client):
    ids = _author(app)
    response = client.get(f"/authors/{ids['slug']}/feed.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    body = response.get_data(as_text=True)
    assert EMAIL not in body and "ada.private" not in body
    root = ET.fromstring(response.data)
    assert root.find(f"{ATOM}title").text == "Folio: Ada Lovelace"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == f"http://localhost/authors/{ids['slug']}/feed.xml"
    assert links["alternate"] == f"http://localhost/authors/{ids['slug']}"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Engines", "Notes"]
    author = entries[0].find(f"{ATOM}author")
    assert author.find(f"{ATOM}name").text == "Ada Lovelace"
    assert author.find(f"{ATOM}uri").text == f"http://localhost/authors/{ids['slug']}"


def test_site_feed_names_each_author_with_their_page(app, client):
    ids = _author(app)
    root = ET.fromstring(client.get("/feed.xml").data)
    uris = {
        e.find(f"{ATOM}title").text: e.find(f"{ATOM}author/{ATOM}uri").text
        for e in root.findall(f"{ATOM}entry")
    }
    assert uris["Engines"] == f"http://localhost/authors/{ids['slug']}"
    assert uris["Compilers"] == f"http://localhost/authors/{ids['other']}"


def test_sitemap_lists_authors_with_published_articles(app, client):
    ids = _author(app)
    with app.app_context():
        quiet = make_user(display_name="Quiet Drafter")
        make_article(author=quiet, status=ArticleStatus.DRAFT, published_ago=None)
    root = ET.fromstring(client.get("/sitemap.xml").data)
    locs = [url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")]
    assert f"http://localhost/authors/{ids['slug']}" in locs
    assert f"http://localhost/authors/{ids['other']}" in locs
    assert not any("quiet-drafter" in loc for loc in locs)
    assert EMAIL not in client.get("/sitemap.xml").get_data(as_text=True)


def _age_articles(app) -> None:
    with app.app_context():
        db.session.execute(
            update(Article).values(updated_at=utcnow() - timedelta(days=3))
        )
        db.session.commit()


def _updated(app, slug: str):
    with app.app_context():
        return db.session.scalar(select(Article.updated_at).where(Article.slug == slug))


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        ({"display_name": "Ada King"}, True),
        ({"slug": "ada-king"}, True),
        ({"bio": "New words", "bio_html": "<p>New words</p>"}, False),
        ({"website": "https://elsewhere.example/"}, False),
    ],
)
def test_what_a_byline_shows_moves_the_authors_articles(app, client, change, moves):
    ids = _author(app)
    _age_articles(app)
    before = _updated(app, "engines")
    with app.app_context(), write_transaction():
        user = db.session.get(User, ids["ada"])
        for name, value in change.items():
            setattr(user, name, value)
    assert (_updated(app, "engines") > before) is moves
    assert _updated(app, "compilers") == _updated(app, "compilers")
    if "display_name" in change:
        assert "Ada King" in client.get("/articles/engines").get_data(as_text=True)


def test_an_avatar_made_ready_again_renews_the_bylines(app):
    media = add_media(app, image_bytes("PNG", (400, 400)), "ada.png")
    _author(app, avatar_id=media.id)
    _age_articles(app)
    before = (_updated(app, "engines"), _updated(app, "compilers"))
    with app.app_context(), write_transaction():
        rerender_articles_showing(media.id)
    assert _updated(app, "engines") > before[0]
    assert _updated(app, "compilers") == before[1]
