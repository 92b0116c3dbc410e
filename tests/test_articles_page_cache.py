"""The anonymous article page cache: one query, fresh per-visitor values, never stale."""

import itertools
import re
import time
from datetime import timedelta

from itsdangerous import TimestampSigner
from sqlalchemy import event

from models import Article
from models import CommentStatus
from models import db
from storage import sqlcount
from tests.support.factories import go_live
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client
from web.form_guard import timestamp_problem
from web.page_cache import page_cache
from web.per_response import CSRF
from web.per_response import NONCE
from web.per_response import CachedPage


def _get(app, client, url="/articles/hello"):
    with sqlcount.count_statements(app) as log:
        response = client.get(url)
    assert response.status_code == 200
    return len(log), response


def _token(html: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_repeat_visit_is_one_statement_with_fresh_values(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_article(slug="hello", title="Hello", body="## A\n\ntext")
    first_client, second_client = app.test_client(), app.test_client()
    _, first = _get(app, first_client)
    count, second = _get(app, second_client)
    assert count == 1
    a, b = first.get_data(as_text=True), second.get_data(as_text=True)
    assert "\x00" not in b
    assert _token(a) != _token(b)
    nonce = re.search(r"'nonce-([^']+)'", second.headers["Content-Security-Policy"])
    assert f'nonce="{nonce.group(1)}"' in b
    assert re.search(r'name="rendered_at" type="hidden" value="form\.[^"]+"', b)
    assert second.headers["Cache-Control"] == "private, no-cache"
    assert second.headers["Vary"] == "HX-Request, Cookie"


def test_token_from_a_cached_page_posts_a_comment(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    app.test_client().get("/articles/hello")  # fills the cache
    reader = app.test_client()
    html = reader.get("/articles/hello").get_data(as_text=True)
    stamp = re.search(r'name="rendered_at" type="hidden" value="([^"]+)"', html)
    response = reader.post(
        "/articles/hello/comments",
        data={
            "csrf_token": _token(html),
            "rendered_at": stamp.group(1),
            "author": "Ada",
            "email": "ada@example.org",
            "comment": "Posted from a cached page.",
        },
    )
    assert response.status_code == 303


def test_new_comment_and_new_article_change_the_page(app):
    with app.app_context():
        article_id = make_article(slug="hello", published_ago=timedelta(days=3)).id
    client = app.test_client()
    _get(app, client)
    with app.app_context():
        make_comment(db.session.get(Article, article_id), body="Fresh approved words")
    _, response = _get(app, client)
    assert "Fresh approved words" in response.get_data(as_text=True)
    with app.app_context():
        make_article(slug="newer", title="The newer one")
    _, response = _get(app, client)
    assert 'rel="next" href="/articles/newer"' in response.get_data(as_text=True)


def test_scheduled_article_going_live_updates_neighbours(app):
    with app.app_context():
        make_article(slug="hello", published_ago=timedelta(days=3))
        later = make_article(
            slug="later", title="Scheduled", published_ago=-timedelta(hours=1)
        )
        updated_at = later.updated_at
    client = app.test_client()
    assert 'rel="next"' not in _get(app, client)[1].get_data(as_text=True)
    go_live(app, "later", updated_at)
    assert 'rel="next" href="/articles/later"' in _get(app, client)[1].get_data(
        as_text=True
    )


def test_visitors_with_their_own_state_bypass_the_cache(app):
    with app.app_context():
        article = make_article(slug="hello")
        make_comment(article, status=CommentStatus.APPROVED)
    client = app.test_client()
    _get(app, client)
    assert _get(app, client)[0] == 1
    client.set_cookie("folio_commenter", "not-even-valid")
    assert _get(app, client)[0] == 1  # remembered details are per-response values
    client.set_cookie("folio_held", "not-even-valid")
    assert _get(app, client)[0] > 1  # the visitor's own held comments
    assert _get(app, app.test_client(), "/articles/hello?cpage=1")[0] > 1


def _values(response) -> tuple[str, str, str]:
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    stamp = re.search(r'name="rendered_at" type="hidden" value="([^"]+)"', html)
    return _token(html), nonce, stamp.group(1)


def test_cached_page_is_split_at_every_value():
    values = {CSRF: "T", NONCE: "N", "stamp": "S"}
    page = CachedPage.split("<a T><b N>T<c S>", values)  # the token twice
    assert page.slots == (CSRF, NONCE, CSRF, "stamp")
    assert b"".join(page.parts) == b"<a ><b ><c >"
    fresh = {CSRF: b"t2", NONCE: b"n2", "stamp": b"s2"}
    assert page.join(fresh) == b"<a t2><b n2>t2<c s2>"
    absent = {CSRF: "T", NONCE: "N", "stamp": None}
    assert CachedPage.split("é, no form", absent).join({}) == "é, no form".encode()


def test_cache_holds_no_per_visitor_value_and_each_response_gets_fresh_ones(
    make_app, monkeypatch
):
    app = make_app(WTF_CSRF_ENABLED=True, SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    # Every signature a second later than the one before, as if the responses
    # were a second apart (in the past, so the form timestamps are valid now).
    clock = itertools.count(int(time.time()) - 3600)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(clock))
    first = app.test_client().get("/articles/hello")  # rendered and stored
    later = [app.test_client().get("/articles/hello") for _ in range(2)]
    with app.app_context():
        entries = page_cache().pages()
    assert len(entries) == 1
    stored = b"".join(entries[0].parts)
    responses = [first, *later]
    seen = [_values(response) for response in responses]
    for values in seen:
        for value in values:
            assert value.encode() not in stored
    for position in range(3):  # token, nonce, timestamp: each differs
        assert len({values[position] for values in seen}) == 3
    for response, (token, nonce, stamp) in zip(responses, seen, strict=True):
        html = response.get_data(as_text=True)
        assert html.count(token) == 2  # hx-headers and the form field
        assert f'nonce="{nonce}"' in html
        assert html.count(stamp) == 1
        assert response.headers["Content-Length"] == str(len(response.data))
        assert "session=" in response.headers["Set-Cookie"]
    with app.test_request_context():
        assert all(timestamp_problem(stamp) is None for _, _, stamp in seen)


def test_cache_hit_is_the_version_query_alone_without_a_transaction(app):
    with app.app_context():
        make_article(slug="hello")
        engine = db.engine
    app.test_client().get("/articles/hello")  # fills the cache
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split())[:40])

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = app.test_client().get("/articles/hello")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    # Its own connection, one statement: no BEGIN on SQLite, and the session
    # (whose transaction would BEGIN) is never used.
    assert len(sent) == 1 and sent[0].startswith("SELECT articles.id"), sent


def test_signed_in_staff_and_remembered_logins_bypass_the_cache(app):
    with app.app_context():
        make_article(slug="hello")
    _get(app, app.test_client())
    assert _get(app, app.test_client())[0] == 1  # cached for anonymous readers
    staff, _ = staff_client(app)
    count, response = _get(app, staff)
    assert count > 1  # the user is loaded and the page rendered for them
    assert "ETag" not in response.headers  # staff pages carry no validator
    remembered = app.test_client()
    remembered.set_cookie("remember_token", "1|not-even-valid")
    assert _get(app, remembered)[0] > 1
    # An anonymous session (a returning reader) is still served from the cache.
    returning = app.test_client()
    _get(app, returning)
    assert "csrf_token" in _session(returning)
    assert _get(app, returning)[0] == 1


def _session(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)
