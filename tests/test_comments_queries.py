"""The article page's SQL budget with comments, and the rendered-list cache."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from blueprints.comments.cache import comment_cache
from blueprints.comments.cache import form_cache
from blueprints.comments.moderation import set_status
from models import Article
from models import Comment
from models import CommentStatus
from models import db
from models import utcnow
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_comment
from web.form_guard import form_timestamp
from web.page_cache import page_cache

# The articles part of the page may use 3 statements, the comment section 1.
PAGE_BUDGET = 4


def add_comments(article_id: int, n: int) -> None:
    """n approved comments in one batch, every fifth a reply to the one before."""
    article = db.session.get(Article, article_id)
    previous = None
    for i in range(n):
        reply = previous is not None and i % 5 == 4
        comment = Comment(
            article=article,
            parent=previous if reply else None,
            depth=1 if reply else 0,
            author_name=f"Reader {i}",
            author_email=f"reader{i}@example.org",
            body=f"Comment {i} with some words.",
            status=CommentStatus.APPROVED,
            created_at=utcnow(),
        )
        db.session.add(comment)
        previous = None if reply else comment
    db.session.flush()
    article.refresh_comment_stats()
    db.session.commit()


def page_statements(app, client, url="/articles/hello") -> tuple[int, str]:
    with sqlcount.count_statements(app) as log:
        response = client.get(url)
    assert response.status_code == 200
    return len(log), response.get_data(as_text=True)


@pytest.mark.parametrize("n", [0, 50, 2000])
def test_article_page_statements_constant_in_comments(app, n):
    with app.app_context():
        article_id = make_article(slug="hello").id
        if n:
            add_comments(article_id, n)
    client = app.test_client()
    first, html = page_statements(app, client)
    second, _ = page_statements(app, client)
    # A miss renders everything (at most the budget); a repeat visit is served
    # from the page cache after one version query.
    assert first <= PAGE_BUDGET
    assert second == 1
    assert html.count('class="comment') >= min(n, 50)


def test_statement_counts_match_for_0_50_and_2000(make_app):
    counts = []
    for n in (0, 50, 2000):
        app = make_app()
        with app.app_context():
            article = make_article(slug=f"n{n}")
            add_comments(article.id, n)
        client = app.test_client()
        counts.append(page_statements(app, client, f"/articles/n{n}")[0])
    assert len(set(counts)) == 1, counts


def test_held_cookie_stays_within_the_page_budget(app):
    with app.app_context():
        article = make_article(slug="hello")
        add_comments(article.id, 10)
        row = make_comment(article, status=CommentStatus.PENDING)
        pending = SimpleNamespace(id=row.id, created_at=row.created_at)
    client = app.test_client()
    anonymous, _ = page_statements(app, client)
    anonymous, _ = page_statements(app, client)
    with app.test_request_context():
        from flask import make_response

        from blueprints.comments.cookies import add_held_comment

        response = make_response("")
        add_held_comment(response, pending)
        cookie = re.search(r"folio_held=([^;]+)", response.headers["Set-Cookie"])
    client.set_cookie("folio_held", cookie.group(1))
    with_cookie, html = page_statements(app, client)
    # The visitor's own held comment takes them off the shared page cache
    # (anonymous: 1 statement) onto the full render, still within budget.
    assert anonymous == 1
    assert with_cookie <= PAGE_BUDGET
    assert "Your comment is awaiting moderation." in html


def test_cached_list_has_nothing_per_visitor(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, SPAM_MIN_SECONDS=0)
    with app.app_context():
        article = make_article(slug="hello")
        add_comments(article.id, 3)
    client = app.test_client()
    html = client.get("/articles/hello").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token
    with app.app_context():
        entries = list(comment_cache()._entries.values())
    assert len(entries) == 1
    cached = str(entries[0].html)
    assert "csrf" not in cached.lower()
    assert token.group(1) not in cached
    assert "@example.org" not in cached
    assert "rendered_at" not in cached
    assert 'id="comment-form"' not in cached


def test_status_change_invalidates_the_cached_list(app):
    with app.app_context():
        article = make_article(slug="hello")
        held_id = make_comment(
            article, body="Held words here.", status=CommentStatus.PENDING
        ).id
    client = app.test_client()
    assert "Held words here." not in client.get("/articles/hello").get_data(
        as_text=True
    )
    with app.app_context():
        comment = db.session.get(Comment, held_id)
        assert set_status(comment, CommentStatus.APPROVED, "approved by a moderator")
        db.session.commit()
        assert comment.article.comment_count == 1
    html = client.get("/articles/hello").get_data(as_text=True)
    assert "Held words here." in html and "1 comment<" in html
    with app.app_context():
        comment = db.session.get(Comment, held_id)
        set_status(comment, CommentStatus.TRASH, "trashed by a moderator")
        db.session.commit()
        assert comment.status_reason == "trashed by a moderator"
    html = client.get("/articles/hello").get_data(as_text=True)
    assert "Held words here." not in html and "No comments yet" in html


def test_set_status_unchanged_is_a_no_op(app):
    with app.app_context():
        article = make_article(slug="hello")
        comment = make_comment(article, status=CommentStatus.APPROVED)
        version = article.comments_version
        comment.status_reason = "approved: passed every rule"
        assert not set_status(
            comment, CommentStatus.APPROVED, "approved: passed every rule"
        )
        assert article.comments_version == version


def test_cache_is_bounded(app):
    with app.app_context():
        cache = comment_cache()
        for i in range(cache.max_entries + 10):
            cache.get_or_render(("k", i), lambda: "x")
        assert len(cache) == cache.max_entries


def test_rows_never_load_the_email_into_templates(app):
    with app.app_context():
        article = make_article(slug="hello")
        make_comment(article, author_email="secret@example.org")
    with sqlcount.count_statements(app) as log:
        app.test_client().get("/articles/hello")
    comment_query = [s for s in log if "FROM comments" in s]
    assert len(comment_query) == 1
    with app.app_context():
        assert db.session.scalar(select(Article.comment_count)) == 1


def test_cached_blank_form_has_nothing_per_visitor(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    pages = [app.test_client().get("/articles/hello").get_data(as_text=True)]
    with app.app_context():
        page_cache().clear()
    pages.append(app.test_client().get("/articles/hello").get_data(as_text=True))
    with app.app_context():
        [entry] = form_cache()._entries.values()
    cached = b"".join(entry.parts).decode()
    tokens = [
        re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', p) for p in pages
    ]
    stamps = [
        re.search(r'name="rendered_at" type="hidden" value="([^"]+)"', p) for p in pages
    ]
    assert all(tokens) and all(stamps)
    # Each page got its own token (the timestamp counts seconds, so two pages
    # in the same second may share it); the cache holds neither.
    assert tokens[0].group(1) != tokens[1].group(1)
    for match in (*tokens, *stamps):
        assert match.group(1) not in cached
    assert 'id="comment-form"' in cached


def test_remembered_details_bypass_the_blank_form(make_app):
    app = make_app(SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    client = app.test_client()
    client.post(
        "/articles/hello/comments",
        data={
            "rendered_at": _stamp(app),
            "comment": "Remember me, please.",
            "author": "Ada Reader",
            "email": "ada@example.org",
            "remember": "y",
        },
    )
    html = client.get("/articles/hello").get_data(as_text=True)
    assert 'value="Ada Reader"' in html
    assert "ada@example.org" in html
    # Another visitor's blank form is not pre-filled.
    other = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "Ada Reader" not in other.split('id="comment-form"')[1]


def _stamp(app) -> str:
    with app.app_context():
        return form_timestamp()


# Fragment answers build only the fragment's context: the article (one
# statement), and nothing of the article page around it.
FRAGMENT_BUDGET = 1


def test_show_more_comments_fragment_runs_one_statement(app, htmx_headers):
    with app.app_context():
        article = make_article(slug="hello")
        add_comments(article.id, 200)
    client = app.test_client()
    first = client.get("/articles/hello/comments?page=2", headers=htmx_headers)
    assert first.status_code == 200
    with sqlcount.count_statements(app) as log:
        again = client.get("/articles/hello/comments?page=2", headers=htmx_headers)
    assert again.get_data() == first.get_data()
    assert 'id="comment-page-2"' in again.get_data(as_text=True)
    assert len(log) == FRAGMENT_BUDGET, list(log)


def test_htmx_422_runs_one_statement(app, htmx_headers):
    with app.app_context():
        make_article(slug="hello")
    with sqlcount.count_statements(app) as log:
        response = app.test_client().post(
            "/articles/hello/comments",
            data={"rendered_at": _stamp(app), "comment": "", "author": "Ada"},
            headers=htmx_headers,
        )
    assert response.status_code == 422
    assert 'id="respond"' in response.get_data(as_text=True)
    assert "<h1" not in response.get_data(as_text=True)
    assert len(log) == FRAGMENT_BUDGET, list(log)
