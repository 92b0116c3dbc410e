"""The example plugin folio-akismet against a local Akismet-compatible double."""

from __future__ import annotations

import logging

import folio_akismet
import pytest
from sqlalchemy import select

from models import Article
from models import CommentStatus
from models import db
from storage import sqlcount
from storage.transactions import _OPEN as WRITE_OPEN
from tests.support.akismet_double import SPAM_AUTHOR
from tests.support.akismet_double import AkismetDouble
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.test_comments import post
from tests.test_comments import stored

NOTICE = "This site uses Akismet to reduce spam."
PRIVACY = '<a href="https://akismet.com/privacy/">'
EMAIL = "secret.reader@example.org"
BODY = "A private thought about this article"


@pytest.fixture
def double():
    service = AkismetDouble().start()
    yield service
    service.stop()


@pytest.fixture
def akismet_app(make_app, double, monkeypatch):
    monkeypatch.delenv("FOLIO_AKISMET_API_KEY", raising=False)

    def _make(**overrides):
        config = {
            "PLUGINS": ["akismet"],
            "AKISMET_URL": double.url,
            "AKISMET_API_KEY": "test",
            "SPAM_MIN_SECONDS": 0,
            # Approved unless a rule says otherwise: plugin votes are then visible.
            "COMMENTS_REQUIRE_PREVIOUS_APPROVAL": False,
            **overrides,
        }
        app = make_app(**config)
        with app.app_context():
            make_article(slug="hello")
        return app

    return _make


def _only(app):
    [comment] = stored(app)
    return comment


def test_spam_answer_stores_the_comment_as_spam(akismet_app, double):
    app = akismet_app()
    response = post(app.test_client(), author=SPAM_AUTHOR)
    assert response.status_code == 303
    comment = _only(app)
    assert comment.status == CommentStatus.SPAM
    assert comment.status_reason == "spam: akismet: Akismet says spam"
    assert len(double.received) == 1


def test_discard_pro_tip_is_named_in_the_reason(akismet_app):
    app = akismet_app()
    post(app.test_client(), comment="discardme please")
    comment = _only(app)
    assert comment.status == CommentStatus.SPAM
    assert (
        comment.status_reason == "spam: akismet: Akismet says spam (blatant: discard)"
    )


def test_not_spam_answer_leaves_the_core_rules_to_decide(akismet_app, double):
    app = akismet_app()
    post(app.test_client())
    comment = _only(app)
    assert comment.status == CommentStatus.APPROVED
    assert comment.status_reason == "approved: passed every rule"
    assert len(double.received) == 1


def test_first_comment_rule_still_holds_a_comment_akismet_passes(akismet_app):
    app = akismet_app(COMMENTS_REQUIRE_PREVIOUS_APPROVAL=True)
    post(app.test_client())
    assert _only(app).status_reason == "held: first comment from this email"


def test_the_form_sent_describes_comment_and_site(akismet_app, double):
    app = akismet_app(AKISMET_TEST=True)
    client = app.test_client()
    post(
        client,
        headers={"User-Agent": "TestBrowser/1.0", "Referer": "http://localhost/"},
        author="Ada Reader",
        email=EMAIL,
        url="https://ada.example",
        comment=BODY,
    )
    [form] = double.received
    assert double.paths == ["/1.1/comment-check"]
    assert form == {
        "api_key": "test",
        "blog": "http://localhost",
        "user_ip": "127.0.0.1",
        "user_agent": "TestBrowser/1.0",
        "referrer": "http://localhost/",
        "permalink": "http://localhost/articles/hello",
        "comment_type": "comment",
        "comment_author": "Ada Reader",
        "comment_author_email": EMAIL,
        "comment_author_url": "https://ada.example",
        "comment_content": BODY,
        "blog_lang": "en",
        "blog_charset": "UTF-8",
        "is_test": "1",
    }


def test_a_reply_is_sent_as_a_reply_and_is_test_only_when_set(akismet_app, double):
    app = akismet_app()
    with app.app_context():
        article = db.session.scalar(select(Article))
        parent_id = make_comment(article).id
    post(app.test_client(), parent_id=str(parent_id))
    [form] = double.received
    assert form["comment_type"] == "reply"
    assert "is_test" not in form


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ("holdme", "invalid (Empty 'blog' value)"),
        ("crashme", "HTTP 500"),
        ("slowme", "timed out"),
    ],
)
def test_an_answer_that_is_not_a_verdict_holds_the_comment(
    akismet_app, body, cause, caplog
):
    app = akismet_app(AKISMET_TIMEOUT_SECONDS=0.5)
    with caplog.at_level(logging.WARNING):
        response = post(app.test_client(), comment=f"{body} {BODY}", email=EMAIL)
    assert response.status_code == 303
    comment = _only(app)
    assert comment.status == CommentStatus.PENDING
    assert (
        comment.status_reason == f"held: akismet: Akismet could not check it: {cause}"
    )
    assert "akismet: could not check a comment on" in caplog.text
    assert cause in caplog.text


def test_service_down_holds_the_comment(akismet_app, double, caplog):
    app = akismet_app()
    double.stop()
    with caplog.at_level(logging.WARNING):
        post(app.test_client())
    comment = _only(app)
    assert comment.status == CommentStatus.PENDING
    assert comment.status_reason == (
        "held: akismet: Akismet could not check it: connection refused"
    )
    assert "connection refused" in caplog.text


@pytest.mark.parametrize("body", ["no problem", "holdme", "crashme"])
def test_email_text_and_key_are_never_logged(akismet_app, body, caplog):
    app = akismet_app(AKISMET_API_KEY="key-4f2c9a")
    with caplog.at_level(logging.DEBUG):
        post(app.test_client(), email=EMAIL, comment=f"{body}: {BODY}")
        post(app.test_client(), email=EMAIL, author=SPAM_AUTHOR, comment=BODY)
    assert len(stored(app)) == 2
    assert EMAIL not in caplog.text
    assert BODY not in caplog.text
    assert "key-4f2c9a" not in caplog.text


def test_check_runs_before_the_write_lock(akismet_app, double, monkeypatch):
    app = akismet_app()
    calls = []

    def watched(*args, **kwargs):
        calls.append(bool(db.session().info.get(WRITE_OPEN)))
        return real(*args, **kwargs)

    real = folio_akismet.post_form
    monkeypatch.setattr(folio_akismet, "post_form", watched)
    post(app.test_client())
    assert calls == [False]
    assert len(double.received) == 1


def test_a_check_that_raises_counts_as_no_vote(akismet_app, monkeypatch, caplog):
    app = akismet_app()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the plugin")

    monkeypatch.setattr(folio_akismet, "post_form", broken)
    with caplog.at_level(logging.ERROR):
        response = post(app.test_client())
    assert response.status_code == 303
    assert _only(app).status_reason == "approved: passed every rule"
    assert "plugin akismet: spam check failed; counted as no vote" in caplog.text


def test_not_enabled_the_service_is_never_called(make_app, double):
    app = make_app(AKISMET_URL=double.url, AKISMET_API_KEY="test", SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    client = app.test_client()
    assert NOTICE not in client.get("/articles/hello").get_data(as_text=True)
    post(client, author=SPAM_AUTHOR)
    assert double.received == []
    assert _only(app).status != CommentStatus.SPAM


def test_without_a_key_it_warns_and_checks_nothing(akismet_app, double, caplog):
    with caplog.at_level(logging.WARNING):
        app = akismet_app(AKISMET_API_KEY="")
    assert "akismet: AKISMET_API_KEY is not set; comments are not checked" in (
        caplog.text
    )
    client = app.test_client()
    assert NOTICE not in client.get("/articles/hello").get_data(as_text=True)
    post(client, author=SPAM_AUTHOR)
    assert double.received == []
    assert _only(app).status == CommentStatus.APPROVED


def test_privacy_notice_is_in_the_form_and_the_page_stays_cached(akismet_app):
    app = akismet_app()
    first = app.test_client().get("/articles/hello").get_data(as_text=True)
    with sqlcount.count_statements(app) as log:
        response = app.test_client().get("/articles/hello")
    assert len(log) == 1
    html = response.get_data(as_text=True)
    form = html[html.index('id="comment-form"') : html.index("Post comment")]
    assert NOTICE in form
    assert PRIVACY + "Learn how your comment data is processed.</a>" in form
    assert '<p class="hint comment-notes">' + NOTICE in form
    assert NOTICE in first


@pytest.mark.parametrize("url", ["rest.akismet.com", "ftp://x.example", "https://"])
def test_a_service_address_that_is_no_http_url_fails_the_plugin(make_app, url, caplog):
    from plugins.loading import plugin_states

    app = make_app(PLUGINS=["akismet"], AKISMET_API_KEY="k", AKISMET_URL=url)
    state = plugin_states(app)["akismet"]
    assert state.status == "failed" and "AKISMET_URL" in state.error
    assert "akismet" in caplog.text and "skipped" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200
