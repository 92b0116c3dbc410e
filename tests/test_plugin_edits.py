"""Edits meet the plugins too: comment_edited after commit, and spam checks
vote on a reader's new text before the write."""

from __future__ import annotations

import pytest

from models import Comment
from models import CommentStatus
from models import Role
from models import db
from plugins.hooks import SpamVote
from plugins.hooks import Verdict
from plugins.hooks import hookimpl
from plugins.hooks import manager
from signals import comment_edited
from storage import transactions
from tests.support.staff_support import staff_client
from tests.test_readers import article  # noqa: F401  (fixture)
from tests.test_readers import comment_of
from tests.test_readers import sign_in
from tests.test_signals import committed
from tests.test_signals import received


class WordCheck:
    """A spam check that calls any text with "casino" spam, and notes its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    @hookimpl
    def folio_spam_check(self, comment):
        session = db.session()
        self.calls.append((comment.body, bool(session.info.get(transactions._OPEN))))
        if "casino" in comment.body:
            return SpamVote(Verdict.SPAM, "casino talk")
        return None


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


@pytest.fixture
def check(app) -> WordCheck:
    plugin = WordCheck()
    manager(app).register(plugin, name="words")
    return plugin


def test_reader_edit_is_checked_before_the_write(app, client, article, check):  # noqa: F811
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    client.post(f"/your-comments/{comment.id}/edit", data={"body": "Visit my casino."})
    assert check.calls == [("Visit my casino.", False)]
    with app.app_context():
        stored = db.session.get(Comment, comment.id)
        assert stored.status == CommentStatus.SPAM
        assert stored.status_reason == "edited; spam: words: casino talk"


def test_reader_edit_without_a_vote_stays_approved(app, client, article, check):  # noqa: F811
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    client.post(f"/your-comments/{comment.id}/edit", data={"body": "Fixed."})
    assert comment_of(app, "ada@example.org").status == CommentStatus.APPROVED


def test_refused_edit_asks_no_check(app, client, article, check):  # noqa: F811
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    response = client.post(f"/your-comments/{comment.id}/edit", data={"body": " "})
    assert response.status_code == 422
    assert check.calls == []


def test_reader_edit_sends_comment_edited_after_commit(app, client, article):  # noqa: F811
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    with received(comment_edited, app, Comment) as calls:
        client.post(f"/your-comments/{comment.id}/edit", data={"body": "Fixed."})
    [call] = calls
    assert call["committed"] and call["editor_id"] is None
    assert call["comment"].body == "Fixed."
    assert call["article"].slug == "hello"


def test_staff_edit_sends_comment_edited_with_the_editor(app, article):  # noqa: F811
    moderator, moderator_id = staff_client(app, Role.MODERATOR)
    comment = comment_of(app, "bob@example.org")
    with received(comment_edited, app) as calls:
        moderator.post(
            f"/staff/comments/{comment.id}/edit",
            data={f"edit-{comment.id}-body": "Bob's better words."},
        )
        # Saving the same text again changes nothing and announces nothing.
        moderator.post(
            f"/staff/comments/{comment.id}/edit",
            data={f"edit-{comment.id}-body": "Bob's better words."},
        )
    [call] = calls
    assert call["editor_id"] == moderator_id
    assert call["comment"].body == "Bob's better words."
    with app.app_context():
        assert committed(Comment, comment.id)


@pytest.mark.parametrize(
    ("where", "overrides", "config"),
    [
        ("missing", {}, {}),
        ("closed", {}, {}),
        ("blocklisted", {"author": "Spammy"}, {"COMMENTS_BLOCKLIST": ["spammy"]}),
        ("duplicate", {}, {}),
    ],
)
def test_a_post_that_cannot_be_stored_is_sent_to_no_check(
    make_app, where, overrides, config
):
    from tests.support.factories import make_article
    from tests.test_comments import post

    app = make_app(SPAM_MIN_SECONDS=0, **config)
    plugin = WordCheck()
    manager(app).register(plugin, name="words")
    with app.app_context():
        make_article(slug="hello", comments_open=where != "closed")
    client = app.test_client()
    if where == "duplicate":
        post(client)
        plugin.calls.clear()
    post(client, slug="nowhere" if where == "missing" else "hello", **overrides)
    assert plugin.calls == []


def test_a_post_that_can_be_stored_is_checked_once(app, check):
    from tests.support.factories import make_article
    from tests.test_comments import post

    with app.app_context():
        make_article(slug="hello")
    post(app.test_client(), comment="Try my casino.")
    assert check.calls == [("Try my casino.", False)]
