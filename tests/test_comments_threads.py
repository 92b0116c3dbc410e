"""Following threads: comment feeds, the order of threads, the new-comments poll."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from lxml import etree

from blueprints.comments.cache import comment_cache
from models import Article
from models import CommentKind
from models import CommentStatus
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_page
from tests.test_comments import post
from web.page_cache import page_cache

ATOM = "{http://www.w3.org/2005/Atom}"
HX = {"HX-Request": "true"}


def _seed(app, removed: bool = False) -> None:
    with app.app_context():
        article = make_article(title="Tom & Jerry", slug="hello")
        first = make_comment(
            article,
            body="First <b>bold</b> see https://example.org/x",
            author_name="Ann <Admin>",
            author_email="ann@secret.example",
            author_url="https://ann.example/",
        )
        make_comment(
            article,
            body="A reply",
            parent=first,
            author_name="Bob",
            author_email="bob@secret.example",
            author_url="javascript:alert(1)",
        )
        make_comment(article, body="Second thread", author_name="Cid")
        for status in (CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH):
            make_comment(
                article,
                body=f"hidden {status.value}",
                author_name="Held",
                status=status,
            )
        make_comment(
            article, body="a pingback", author_name="Ping", kind=CommentKind.PINGBACK
        )
        if removed:  # deleted by its author (what the page shows is not ours)
            make_comment(
                article, body="gone", author_name="Gone", removed_at=first.created_at
            )


def _feed(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = etree.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None
    return root


def _entries(root):
    return root.findall(f"{ATOM}entry")


def test_article_feed_shows_approved_comments_only(app, client):
    _seed(app, removed=True)
    root = _feed(client.get("/articles/hello/comments.atom"))
    text = etree.tostring(root, encoding="unicode")
    assert "secret.example" not in text
    for hidden in ("hidden pending", "hidden spam", "hidden trash", "pingback", "gone"):
        assert hidden not in text
    entries = _entries(root)
    assert len(entries) == 3
    names = [e.find(f"{ATOM}author/{ATOM}name").text for e in entries]
    assert names == ["Cid", "Bob", "Ann <Admin>"]  # newest first
    for entry in entries:
        for name in ("id", "title", "updated", "published", "content"):
            assert entry.find(f"{ATOM}{name}") is not None
        assert entry.find(f"{ATOM}id").text.startswith("tag:")
        link = entry.find(f"{ATOM}link").get("href")
        assert re.match(r"https?://[^/]+/articles/hello#comment-\d+$", link)
    ann = entries[2]
    assert ann.find(f"{ATOM}author/{ATOM}uri").text == "https://ann.example/"
    assert entries[1].find(f"{ATOM}author/{ATOM}uri") is None  # javascript: dropped
    content = ann.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "&lt;b&gt;bold" in content.text  # the page's escaping, kept
    assert (
        '<a href="https://example.org/x" rel="nofollow ugc noopener">' in content.text
    )


def test_article_feed_conditional_get(app, client):
    _seed(app)
    first = client.get("/articles/hello/comments.atom")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    with sqlcount.count_statements(app) as log:
        again = client.get(
            "/articles/hello/comments.atom", headers={"If-None-Match": etag}
        )
    assert again.status_code == 304
    assert len(log) == 1
    with app.app_context():
        make_comment(db.session.get(Article, 1), body="Newer")
    changed = client.get(
        "/articles/hello/comments.atom", headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert b"Newer" in changed.data


def test_article_feed_is_two_statements(app, client):
    _seed(app)
    with sqlcount.count_statements(app) as log:
        client.get("/articles/hello/comments.atom")
    assert len(log) <= 2


def test_site_feed_lists_comments_of_every_visible_article(app, client):
    _seed(app)
    with app.app_context():
        other = make_article(slug="other", title="Other")
        make_comment(other, body="On the other one", author_email="x@secret.example")
        draft = make_article(slug="draft", published_ago=None)
        make_comment(draft, body="On a draft")
        page = make_page(slug="about", title="About", comments_open=True)
        make_comment(page, body="On a page")
        closed = make_page(slug="closed", title="Closed")
        make_comment(closed, body="On a closed page")
    with sqlcount.count_statements(app) as log:
        response = client.get("/comments.atom")
    assert len(log) <= 2
    root = _feed(response)
    text = etree.tostring(root, encoding="unicode")
    assert "On the other one" in text and "On a page" in text
    assert "On a draft" not in text and "On a closed page" not in text
    assert "secret.example" not in text and "hidden" not in text
    links = [e.find(f"{ATOM}link").get("href") for e in _entries(root)]
    assert any(re.search(r"/about#comment-\d+$", link) for link in links)
    etag = response.headers["ETag"]
    assert (
        client.get("/comments.atom", headers={"If-None-Match": etag}).status_code == 304
    )


def test_page_feed_and_its_404s(app, client):
    with app.app_context():
        page = make_page(slug="about", comments_open=True)
        make_comment(page, body="Nice page")
        make_page(slug="quiet")
        make_article(slug="hello")
    root = _feed(client.get("/about/comments.atom"))
    assert "Nice page" in etree.tostring(root, encoding="unicode")
    assert client.get("/quiet/comments.atom").status_code == 404
    assert client.get("/articles/about/comments.atom").status_code == 404
    assert client.get("/hello/comments.atom").status_code == 404
    assert client.get("/articles/nope/comments.atom").status_code == 404


def test_article_page_links_its_feeds(app, client):
    _seed(app)
    html = client.get("/articles/hello").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Comments on “Tom &amp; Jerry”" href="/articles/hello/comments.atom">'
    ) in html
    assert 'href="/comments.atom"' in html
    assert 'class="comment-feed" href="/articles/hello/comments.atom"' in html


def _thread_order(html: str) -> list[str]:
    return re.findall(r"<bdi>([^<]+)</bdi>", html)


def test_sort_links_work_without_javascript(app, client):
    _seed(app)
    oldest = client.get("/articles/hello").get_data(as_text=True)
    assert _thread_order(oldest)[:3] == ["Ann &lt;Admin&gt;", "Bob", "Cid"]
    assert 'id="comment-sort-oldest" href="/articles/hello#comments"' in oldest
    assert re.search(r'id="comment-sort-oldest"[^>]*aria-current="true"', oldest)
    newest = client.get("/articles/hello?comments=newest")
    assert newest.status_code == 200
    html = newest.get_data(as_text=True)
    # Top-level threads newest first; the reply stays under its parent.
    assert _thread_order(html)[:3] == ["Cid", "Ann &lt;Admin&gt;", "Bob"]
    assert re.search(r'id="comment-sort-newest"[^>]*aria-current="true"', html)
    assert 'hx-push-url="/articles/hello?comments=newest#comments"' in html


def test_sort_fragment_for_htmx(app, client):
    _seed(app)
    response = client.get("/articles/hello/comments?comments=newest", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert _thread_order(html)[:2] == ["Cid", "Ann &lt;Admin&gt;"]
    assert '<nav id="comment-sort"' in html and 'hx-swap-oob="true"' in html
    assert 'id="comment-news"' in html and "since=3" in html
    whole = client.get("/articles/hello/comments?comments=newest")
    assert "<html" in whole.get_data(as_text=True)


def test_show_more_keeps_the_order(make_app):
    app = make_app(COMMENTS_PER_PAGE=1)
    with app.app_context():
        article = make_article(slug="hello")
        for name in ("One", "Two", "Three"):
            make_comment(article, author_name=name)
    client = app.test_client()
    html = client.get("/articles/hello?comments=newest").get_data(as_text=True)
    assert _thread_order(html) == ["Three"]
    assert "/articles/hello/comments?page=2&amp;comments=newest" in html
    page2 = client.get("/articles/hello/comments?page=2&comments=newest", headers=HX)
    assert _thread_order(page2.get_data(as_text=True)) == ["Two"]
    assert "comment-sort" not in page2.get_data(as_text=True)  # not page 1


def test_comment_cache_key_includes_the_order(app, client):
    _seed(app)
    client.get("/articles/hello")
    client.get("/articles/hello?comments=newest")
    with app.app_context():
        keys = list(comment_cache()._entries)
    orders = {key[4].value for key in keys}
    assert orders == {"oldest", "newest"}


def test_default_page_still_served_from_the_page_cache(app):
    _seed(app)
    client = app.test_client()
    client.get("/articles/hello")
    with sqlcount.count_statements(app) as log:
        again = client.get("/articles/hello")
    assert again.status_code == 200
    assert len(log) == 1
    with app.app_context():
        pages = page_cache().pages()
    assert len(pages) == 1
    # The sorted variant is rendered per request, never stored.
    client.get("/articles/hello?comments=newest")
    with app.app_context():
        assert len(page_cache().pages()) == 1


def test_poll_answers_with_one_statement(app, client):
    _seed(app)
    with sqlcount.count_statements(app) as log:
        none = client.get("/articles/hello/comments/new?since=3", headers=HX)
    assert len(log) == 1
    assert none.status_code == 200
    assert none.get_data(as_text=True).strip() == ""
    assert none.headers["Cache-Control"] == "public, no-cache"
    assert "HX-Request" in none.headers["Vary"]
    etag = {"If-None-Match": none.headers["ETag"], **HX}
    url = "/articles/hello/comments/new?since=3"
    with sqlcount.count_statements(app) as log:
        assert client.get(url, headers=etag).status_code == 304
    assert len(log) == 1
    with app.app_context():
        make_comment(db.session.get(Article, 1), body="Another")
    with sqlcount.count_statements(app) as log:
        some = client.get("/articles/hello/comments/new?since=2", headers=HX)
    assert len(log) == 1
    html = some.get_data(as_text=True)
    assert "2 new comments" in html and "show them" in html
    assert 'hx-get="/articles/hello/comments"' in html
    one = client.get("/articles/hello/comments/new?since=3&comments=newest", headers=HX)
    assert "1 new comment —" in one.get_data(as_text=True)
    assert "comments=newest" in one.get_data(as_text=True)


@pytest.mark.parametrize("since", ["", "x", "-1", "99999999999999", "1e3"])
def test_poll_odd_since_means_nothing_new(app, client, since):
    _seed(app)
    response = client.get(f"/articles/hello/comments/new?since={since}", headers=HX)
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == ""


def test_poll_without_htmx_leads_to_the_comments(app, client):
    _seed(app)
    response = client.get("/articles/hello/comments/new?since=0")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/articles/hello#comments")
    assert client.get("/articles/nope/comments/new", headers=HX).status_code == 404


def test_cached_page_carries_the_poll(app, client):
    _seed(app)
    html = client.get("/articles/hello").get_data(as_text=True)
    assert re.search(r'id="comment-news"[^>]*role="status" aria-live="polite"', html)
    assert 'hx-get="/articles/hello/comments/new?since=3"' in html
    assert 'hx-trigger="folio:poll"' in html
    assert "js/threads.js" in html


def test_copy_link_buttons_start_hidden(app, client):
    _seed(app)
    html = client.get("/articles/hello").get_data(as_text=True)
    buttons = re.findall(r"<button[^>]*data-copy-link[^>]*>", html)
    assert len(buttons) == 3
    assert all(" hidden" in b for b in buttons)
    assert 'aria-label="Copy link to Ann &lt;Admin&gt;’s comment"' in html


def test_htmx_post_moves_the_poll_past_the_readers_own_comment(make_app):
    app = make_app(SPAM_MIN_SECONDS=0)
    with app.app_context():
        article = make_article(slug="hello")
        make_comment(article, author_email="ada@example.org")
    client = app.test_client()
    response = post(client, headers=HX, comment="Mine, not news.")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'id="comment-news"[^>]*hx-swap-oob="true"', html)
    assert "/articles/hello/comments/new?since=2" in html


def test_feed_entry_updated_is_the_edit(app, client):
    with app.app_context():
        article = make_article(slug="hello")
        comment = make_comment(article, body="Fixed typo")
        edited = comment.created_at.replace(microsecond=0) + timedelta(minutes=5)
        comment.edited_at = edited
        db.session.commit()
    root = _feed(client.get("/articles/hello/comments.atom"))
    [entry] = _entries(root)
    published = entry.find(f"{ATOM}published").text
    updated = entry.find(f"{ATOM}updated").text
    assert updated != published
    assert root.find(f"{ATOM}updated").text == updated


def test_sort_on_a_page_that_takes_comments(app, client):
    with app.app_context():
        page = make_page(slug="about", comments_open=True)
        for name in ("One", "Two"):
            make_comment(page, author_name=name)
    html = client.get("/about?comments=newest").get_data(as_text=True)
    assert _thread_order(html) == ["Two", "One"]
    assert 'id="comment-sort-oldest" href="/about#comments"' in html
    assert 'href="/about/comments.atom"' in html
    fragment = client.get("/articles/about/comments?comments=newest", headers=HX)
    assert _thread_order(fragment.get_data(as_text=True)) == ["Two", "One"]
