"""Cover images: on cards, the article page and search hits, loaded without N+1,
and every change to a cover a new version of the cached pages that show it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import text

from blueprints.articles.publishing import set_cover
from blueprints.media.images import inspect_upload
from blueprints.media.library import articles_using
from blueprints.media.library import delete
from blueprints.media.library import describe
from blueprints.media.library import replace_file
from blueprints.media.pictures import CARD_SIZES
from blueprints.media.pictures import COVER_SIZES
from blueprints.media.pictures import FEATURED_SIZES
from blueprints.media.processing import limits
from models import Article
from models import Media
from models import MediaStatus
from models import Role
from models import User
from models import db
from storage.sqlcount import count_statements
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes
from tests.support.staff_support import staff_client

ATOM = "{http://www.w3.org/2005/Atom}"


def _image(app, n: int = 0, alt: str = "A lake at dawn", caption: str = "") -> Media:
    """A small library image of its own (a colour per n, so its own file)."""
    colour = (20 + n * 9 % 200, 90, 160 - n * 5 % 150)
    media = add_media(
        app, image_bytes(size=(640, 400), colour=colour), f"cover-{n}.jpg", alt
    )
    if caption:
        with app.app_context(), write_transaction():
            db.session.get(Media, media.id).caption = caption
    return media


def _covered(app, slug: str = "hello", n: int = 0, **kw) -> tuple[int, int]:
    """A published article with a cover image: (article id, media id)."""
    media = _image(app, n, **kw)
    with app.app_context():
        article = make_article(slug=slug, title=f"Covered {slug}", cover_id=media.id)
        return article.id, media.id


def _html(client, url: str, **kw) -> str:
    response = client.get(url, **kw)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _card(html: str, article_id: int) -> str:
    start = html.index(f'id="article-{article_id}"')
    return html[start : html.index("</article>", start)]


def test_card_shows_the_cover_decoratively_and_others_keep_the_colour_block(app):
    covered, media_id = _covered(app)
    with app.app_context():
        plain = make_article(slug="plain", published_ago=timedelta(days=2)).id
    html = _html(app.test_client(), "/")
    card = _card(html, covered)
    assert '<div class="card-cover card-photo">' in card
    img = re.search(r"<img [^>]+>", card).group()
    assert 'alt=""' in img and re.search(r'width="\d+" height="\d+"', img)
    assert "cover-letter" not in card
    assert "<picture>" in card and 'type="image/webp"' in card
    other = _card(html, plain)
    assert "cover-letter" in other and "<img" not in other


def test_featured_card_is_eager_and_later_cards_are_lazy(app):
    first, _ = _covered(app, "newest", 1)
    second, _ = _covered(app, "older", 2)
    with app.app_context():
        db.session.get(Article, second).published_at -= timedelta(days=3)
        db.session.commit()
    html = _html(app.test_client(), "/")
    featured, later = _card(html, first), _card(html, second)
    assert f'sizes="{FEATURED_SIZES}"' in featured
    assert 'loading="lazy"' not in featured and 'fetchpriority="high"' in featured
    assert f'sizes="{CARD_SIZES}"' in later
    assert 'loading="lazy"' in later and "fetchpriority" not in later
    assert html.count('fetchpriority="high"') == 1


def test_tag_page_and_load_more_cards_are_all_lazy(make_app, htmx_headers):
    app = make_app(ARTICLES_PER_PAGE=1)
    for n in range(2):
        media = _image(app, n)
        with app.app_context():
            make_article(
                slug=f"a{n}",
                tags=["Lakes"],
                cover_id=media.id,
                published_ago=timedelta(days=n + 1),
            )
    client = app.test_client()
    for url, headers in (("/tags/lakes", {}), ("/?page=2", htmx_headers)):
        html = _html(client, url, headers=headers)
        assert f'sizes="{CARD_SIZES}"' in html, url
        assert 'loading="lazy"' in html and "fetchpriority" not in html, url


def test_article_page_shows_the_cover_under_the_header_with_alt_and_caption(app):
    _covered(app, alt="Mist over a lake", caption="The lake at six in the morning.")
    html = _html(app.test_client(), "/articles/hello")
    header_end = html.index("</header>", html.index('class="article-header"'))
    cover = html.index('<figure class="article-cover">')
    assert header_end < cover < html.index('<div class="prose">')
    figure = html[cover : html.index("</figure>", cover)]
    img = re.search(r"<img [^>]+>", figure).group()
    assert 'alt="Mist over a lake"' in img
    assert 'loading="lazy"' not in img and 'fetchpriority="high"' in img
    assert f'sizes="{COVER_SIZES}"' in img
    assert re.search(r'width="\d+" height="\d+"', img)
    assert "<figcaption>The lake at six in the morning.</figcaption>" in figure


def test_article_page_without_a_caption_or_cover(app):
    _covered(app)
    html = _html(app.test_client(), "/articles/hello")
    assert '<figure class="article-cover">' in html and "<figcaption>" not in html
    with app.app_context():
        make_article(slug="bare")
    assert "article-cover" not in _html(app.test_client(), "/articles/bare")


def test_a_cover_still_being_prepared_shows_nowhere(app):
    media = _image(app)
    with app.app_context(), write_transaction():
        db.session.get(Media, media.id).status = MediaStatus.PROCESSING
    with app.app_context():
        article_id = make_article(slug="hello", cover_id=media.id).id
    client = app.test_client()
    assert "article-cover" not in _html(client, "/articles/hello")
    card = _card(_html(client, "/"), article_id)
    assert "cover-letter" in card and "image-pending" not in card


def test_search_hits_show_a_thumbnail(app):
    _covered(app, "wren")
    with app.app_context():
        make_article(slug="other", title="Another wren", published_ago=timedelta(2))
        _index_for_search()
    html = _html(app.test_client(), "/search?q=wren")
    hits = html.split('<li class="hit"')[1:]
    assert len(hits) == 2
    thumbs = [hit for hit in hits if 'class="hit-thumb"' in hit]
    assert len(thumbs) == 1 and 'alt=""' in thumbs[0]


def _index_for_search() -> None:
    """Index what the test wrote for SQLite's full-text search, whatever its triggers did."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            text("INSERT INTO articles_fts(articles_fts) VALUES('rebuild')")
        )
        db.session.commit()


# --- no N+1: the same statements for 3 articles with covers as for 12 -------


def _populate_covered(app, n: int) -> int:
    """n published articles, each tagged and with a cover of its own; one's id."""
    with app.app_context():
        # make_app() gives the test's one database again: start from no articles.
        db.session.execute(db.delete(Article))
        db.session.commit()
        author_id = make_user().id
    ids = []
    for i in range(n):
        media = _image(app, i)
        with app.app_context():
            article = make_article(
                title=f"Counted {i}",
                slug=f"counted-{i}",
                tags=["Tag 0", "Tag 1"],
                author=db.session.get(User, author_id),
                cover_id=media.id,
                published_ago=timedelta(days=i + 1),
            )
            ids.append(article.id)
    with app.app_context():
        _index_for_search()
    return ids[0]


LISTS = [
    ("/", {}),
    ("/?page=2", {"HX-Request": "true"}),  # "Load more"
    ("/tags/tag-0", {}),
    ("/search?q=counted", {}),
    ("/search?q=counted", {"HX-Request": "true"}),
    ("/feed.xml", {}),
    ("/tags/tag-0/feed.xml", {}),
    ("/articles/counted-0", {}),
]


@pytest.mark.parametrize(("path", "headers"), LISTS)
def test_covers_cost_no_statement_per_article(make_app, path, headers):
    counts = []
    for size in (3, 12):
        app = make_app(ARTICLES_PER_PAGE=2 if "page=2" in path else 10)
        _populate_covered(app, size)
        client = app.test_client()
        with count_statements(app) as log:
            html = _html(client, path, headers=headers)
        assert "/media/" in html, path
        counts.append(len(log))
    assert counts[0] == counts[1], counts


def test_staff_preview_loads_the_cover_with_the_article(make_app):
    counts = []
    for size in (1, 3):
        app = make_app()
        first = _populate_covered(app, size)
        client, _ = staff_client(app, Role.ADMIN)
        with count_statements(app) as log:
            html = _html(client, f"/staff/articles/{first}/preview")
        assert '<figure class="article-cover">' in html
        counts.append(len(log))
    assert counts[0] == counts[1], counts


def test_article_page_stays_within_its_budget_with_a_cover(app):
    _covered(app)
    with count_statements(app) as log:
        _html(app.test_client(), "/articles/hello")
    # The version, the article (author, tags and cover joined), its
    # neighbours, the comments.
    assert len(log) <= 4, log


# --- the page cache: every change to a cover is a new version --------------


def _cached_page(app, client, url: str = "/articles/hello") -> tuple[int, str]:
    with count_statements(app) as log:
        html = _html(client, url)
    return len(log), html


def test_setting_and_clearing_a_cover_changes_the_cached_pages(app):
    with app.app_context():
        article_id = make_article(slug="hello").id
    media = _image(app, alt="A heron")
    client = app.test_client()
    for url in ("/articles/hello", "/"):
        _cached_page(app, client, url)
        assert _cached_page(app, client, url)[0] == 1  # served from the cache
    with app.app_context(), write_transaction():
        before = db.session.get(Article, article_id).updated_at
        set_cover(db.session.get(Article, article_id), media.id)
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.updated_at > before
        assert [m.id for m in articles_using(media.id)] == [article_id]
    assert 'alt="A heron"' in _cached_page(app, client)[1]
    assert "card-photo" in _cached_page(app, client, "/")[1]
    with app.app_context(), write_transaction():
        set_cover(db.session.get(Article, article_id), None)
    assert "article-cover" not in _cached_page(app, client)[1]
    assert "card-photo" not in _cached_page(app, client, "/")[1]
    with app.app_context():
        assert articles_using(media.id) == []


def test_a_cover_in_use_cannot_be_deleted(app):
    _, media_id = _covered(app)
    with app.app_context():
        using = delete(db.session.get(Media, media_id))
        assert [a.slug for a in using.articles] == ["hello"]
        assert db.session.get(Media, media_id) is not None


def test_new_alt_text_or_caption_of_a_cover_only_image_changes_the_page(app):
    _, media_id = _covered(app, alt="Old words")
    client = app.test_client()
    _cached_page(app, client)
    assert _cached_page(app, client)[0] == 1
    with app.app_context():
        describe(db.session.get(Media, media_id), "New words", "A new caption.")
    count, html = _cached_page(app, client)
    assert count > 1
    assert (
        'alt="New words"' in html and "<figcaption>A new caption.</figcaption>" in html
    )
    assert '<meta property="og:image:alt" content="New words">' in html


def test_a_new_file_for_a_cover_changes_the_page(app):
    _, media_id = _covered(app)
    client = app.test_client()
    old_html = _cached_page(app, client)[1]
    with app.app_context():
        media = db.session.get(Media, media_id)
        old_sha = media.sha256
        data = image_bytes(size=(800, 500), colour=(200, 30, 30))
        replace_file(media, inspect_upload(data, "new.jpg", "", limits()))
        new_sha = db.session.get(Media, media_id).sha256
    assert old_sha in old_html
    html = _cached_page(app, client)[1]
    assert new_sha in html and old_sha not in html
    assert new_sha in _cached_page(app, client, "/")[1]


# --- link previews, JSON-LD and feeds ---------------------------------------


def _head(html: str) -> str:
    return html[: html.index("</head>")]


def _meta(head: str, key: str) -> list[str]:
    return re.findall(
        rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', head
    )


def test_link_previews_show_the_cover_large(make_app):
    app = make_app(SITE_URL="https://blog.example.com")
    _covered(app, alt="Mist & reeds")
    head = _head(_html(app.test_client(), "/articles/hello"))
    [url] = _meta(head, "og:image")
    assert re.fullmatch(
        r"https://blog\.example\.com/media/[0-9a-f]{2}/[0-9a-f]{64}-\d+\.jpg", url
    )
    assert _meta(head, "og:image:type") == ["image/jpeg"]
    assert _meta(head, "og:image:width") == ["640"]
    assert _meta(head, "og:image:height") == ["400"]
    assert _meta(head, "og:image:alt") == ["Mist &amp; reeds"]
    assert _meta(head, "twitter:card") == ["summary_large_image"]
    assert _meta(head, "twitter:image") == [url]
    assert _meta(head, "twitter:image:alt") == ["Mist &amp; reeds"]
    # The file is there, as the preview says.
    path = url.removeprefix("https://blog.example.com")
    response = app.test_client().get(path)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"


@pytest.mark.parametrize("path", ["/articles/bare", "/", "/tags/notes", "/contact/"])
def test_pages_without_a_cover_keep_the_small_preview(app, path):
    _covered(app)
    with app.app_context():
        make_article(slug="bare", tags=["Notes"])
    head = _head(_html(app.test_client(), path))
    assert _meta(head, "og:image") == [] and _meta(head, "twitter:image") == []
    assert _meta(head, "twitter:card") == ["summary"]


def test_a_cover_still_being_prepared_is_not_previewed(app):
    _, media_id = _covered(app)
    with app.app_context(), write_transaction():
        db.session.get(Media, media_id).status = MediaStatus.PROCESSING
    head = _head(_html(app.test_client(), "/articles/hello"))
    assert _meta(head, "og:image") == []
    assert _meta(head, "twitter:card") == ["summary"]


def test_json_ld_names_the_cover_as_an_image_object(app):
    _covered(app)
    html = _html(app.test_client(), "/articles/hello")
    data = json.loads(
        re.search(
            r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S
        ).group(1)
    )
    image = data["image"]
    assert image["@type"] == "ImageObject"
    assert image["url"].startswith("http://localhost/media/")
    assert (image["width"], image["height"]) == (640, 400)
    with app.app_context():
        make_article(slug="bare")
    bare = _html(app.test_client(), "/articles/bare")
    assert '"image"' not in bare


def test_feed_entries_carry_the_cover_as_an_enclosure(app):
    _covered(app)
    with app.app_context():
        make_article(slug="bare", published_ago=timedelta(days=3))
    root = ET.fromstring(app.test_client().get("/feed.xml").data)
    entries = {
        e.find(f"{ATOM}link[@rel='alternate']").get("href").rsplit("/", 1)[-1]: e
        for e in root.findall(f"{ATOM}entry")
    }
    [enclosure] = entries["hello"].findall(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("type") == "image/jpeg"
    assert re.fullmatch(r"http://localhost/media/\S+\.jpg", enclosure.get("href"))
    with app.app_context():
        media = db.session.scalar(db.select(Media))
        size = next(s for s in json.loads(media.variants) if s[0] == 640)
    assert enclosure.get("length") == str(size[2]["jpeg"])
    assert entries["bare"].findall(f"{ATOM}link[@rel='enclosure']") == []


def test_feed_makes_body_pictures_absolute_srcset_and_all(app):
    media = _image(app)
    with app.app_context():
        make_article(slug="pictured", body=f"Text.\n\n![A lake](/media/{media.id})\n")
    root = ET.fromstring(app.test_client().get("/feed.xml").data)
    html = root.find(f"{ATOM}entry/{ATOM}content").text
    assert "<picture>" in html
    srcsets = re.findall(r'srcset="([^"]*)"', html)
    assert len(srcsets) == 2  # the WebP <source> and the <img>
    for srcset in srcsets:
        for candidate in srcset.split(", "):
            url, width = candidate.split(" ")
            assert url.startswith("http://localhost/media/") and width.endswith("w")
    assert re.search(r'src="http://localhost/media/', html)
