"""Domain events: each signal is sent once its change has committed, with kwargs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from models import Article
from models import ArticleStatus
from models import Comment
from models import CommentStatus
from models import ContactMessage
from models import OutboxMail
from models import Role
from models import db
from signals import article_published
from signals import comment_created
from signals import comment_status_changed
from signals import contact_received
from signals import staff_signed_in
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user
from tests.support.staff_support import staff_client
from tests.test_comments import post
from tests.test_contact import GOOD
from tests.test_staff_articles import article_data
from web.form_guard import form_timestamp


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0, CONTACT_RECIPIENTS=["team@example.com"])


def committed(model, row_id: int) -> bool:
    """Whether another connection sees the row: true only once it has committed."""
    with db.engine.connect() as connection:
        found = connection.execute(select(model.id).where(model.id == row_id))
        return found.scalar() is not None


@contextmanager
def received(signal, app, model=None) -> Iterator[list[dict]]:
    """Record what signal sends for app; with model, whether the row had committed."""
    calls: list[dict] = []

    def receiver(sender, **kwargs) -> None:
        assert sender is app
        row = next(iter(kwargs.values()))
        if model is not None:
            kwargs["committed"] = committed(model, row.id)
        calls.append(kwargs)

    signal.connect(receiver, sender=app)
    try:
        yield calls
    finally:
        signal.disconnect(receiver, sender=app)


def test_comment_created_after_commit_with_snapshots(app):
    with app.app_context():
        make_article(slug="hello")
        make_user(email="mod@example.org", role=Role.MODERATOR)
    with received(comment_created, app, Comment) as calls:
        assert post(app.test_client(), comment="Signalled.").status_code == 303
    [call] = calls
    assert call["committed"]
    assert isinstance(call["comment"], StoredComment)
    assert isinstance(call["article"], ArticleRef)
    assert call["comment"].body == "Signalled."
    assert call["comment"].status == CommentStatus.PENDING
    assert call["article"].slug == "hello"
    with app.app_context():
        # The staff mail is a receiver too: queued after the comment committed.
        [mail] = db.session.scalars(select(OutboxMail)).all()
        assert mail.comment_id == call["comment"].id


@pytest.mark.parametrize(
    "overrides",
    [{"comment": ""}, {"rendered_at": "forged"}, {"parent_id": "999"}],
    ids=["invalid", "refused", "gone-parent"],
)
def test_comment_created_not_sent_for_a_refused_post(app, overrides):
    with app.app_context():
        make_article(slug="hello")
    with received(comment_created, app) as calls:
        assert post(app.test_client(), **overrides).status_code == 422
    assert calls == []


def test_comment_created_not_sent_for_a_duplicate(app):
    with app.app_context():
        make_article(slug="hello")
    client = app.test_client()
    post(client, comment="Said once.")
    with received(comment_created, app) as calls:
        assert post(client, comment="Said once.").status_code == 422
    assert calls == []


def test_staff_reply_sends_comment_created_without_staff_mail(app):
    with app.app_context():
        article = make_article(slug="hello")
        parent_id = make_comment(article, status=CommentStatus.APPROVED).id
    client, user_id = staff_client(app, Role.MODERATOR)
    with received(comment_created, app, Comment) as calls:
        response = client.post(
            f"/staff/comments/{parent_id}/reply", data={f"reply-{parent_id}-body": "Hi"}
        )
    assert response.status_code == 303
    [call] = calls
    assert call["committed"] and call["comment"].staff_author_id == user_id
    with app.app_context():
        assert db.session.scalars(select(OutboxMail)).all() == []


def test_comment_status_changed_on_moderation(app):
    with app.app_context():
        article = make_article(slug="hello")
        comment_id = make_comment(article, status=CommentStatus.PENDING).id
    client, _ = staff_client(app, Role.MODERATOR)
    with received(comment_status_changed, app) as calls:
        client.post(f"/staff/comments/{comment_id}/approve")
        client.post(f"/staff/comments/{comment_id}/approve")  # no longer applies
    [call] = calls
    assert call["comment"].id == comment_id
    assert call["comment"].status == CommentStatus.APPROVED
    assert call["previous"] == CommentStatus.PENDING
    assert call["article"].comment_count == 1
    # Numbers, not the SQL that computed them.
    assert isinstance(call["article"].comments_version, int)


def test_comment_status_changed_for_each_bulk_change(app):
    with app.app_context():
        article = make_article(slug="hello")
        ids = [make_comment(article, status=CommentStatus.PENDING).id for _ in "ab"]
        ids.append(make_comment(article, status=CommentStatus.SPAM).id)
    client, _ = staff_client(app, Role.MODERATOR)
    with received(comment_status_changed, app) as calls:
        client.post("/staff/comments/bulk", data={"action": "approve", "ids": ids})
    assert sorted(call["comment"].id for call in calls) == sorted(ids[:2])


def test_contact_received_after_commit(app):
    stamp = _stamp(app)
    with received(contact_received, app, ContactMessage) as calls:
        response = app.test_client().post(
            "/contact/", data={**GOOD, "rendered_at": stamp}
        )
    assert response.status_code == 303
    [call] = calls
    assert call["committed"]
    assert call["message"].email == GOOD["email"]


def test_contact_received_not_sent_for_an_invalid_message(app):
    with received(contact_received, app) as calls:
        response = app.test_client().post("/contact/", data={"name": "Ada"})
    assert response.status_code == 422
    assert calls == []


def test_article_published_once_when_staff_publish(app):
    client, _ = staff_client(app, Role.EDITOR)
    with received(article_published, app, Article) as calls:
        client.post("/staff/articles", data=article_data())
        with app.app_context():
            article_id = db.session.scalar(select(Article.id))
        published = article_data(status="published", slug="hello-world")
        client.post(f"/staff/articles/{article_id}", data=published)
        client.post(f"/staff/articles/{article_id}", data=published)
    [call] = calls
    assert call["committed"]
    assert call["article"].id == article_id
    assert call["article"].status == ArticleStatus.PUBLISHED


def test_staff_signed_in(app):
    with app.app_context():
        user_id = make_user(email="ed@example.com", role=Role.EDITOR).id
    client = app.test_client()
    with received(staff_signed_in, app) as calls:
        client.post("/staff/login", data={"email": "ed@example.com", "password": "x"})
        client.post(
            "/staff/login", data={"email": "ed@example.com", "password": PASSWORD}
        )
    [call] = calls
    assert call["user"].id == user_id


def _stamp(app) -> str:
    with app.test_request_context():
        return form_timestamp()
