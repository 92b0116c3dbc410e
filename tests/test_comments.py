"""Reader comments: posting, validation, spam and moderation rules, replies, pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from blueprints.comments.cache import comment_cache
from blueprints.comments.forms import MAX_COMMENT
from blueprints.comments.forms import MAX_EMAIL
from blueprints.comments.forms import MAX_NAME
from blueprints.comments.forms import MAX_URL
from blueprints.comments.spam import form_timestamp
from models import Article
from models import Comment
from models import CommentStatus
from models import OutboxMail
from models import Role
from models import db
from tests.factories import make_article
from tests.factories import make_comment
from tests.factories import make_user


def comment_data(**overrides) -> dict:
    """A valid comment post."""
    data = {
        "comment": "A fine article, thank you.",
        "author": "Ada Reader",
        "email": "ada@example.org",
        "url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        return a.id


def stamp(app) -> str:
    """A valid signed form timestamp, as the rendered form carries."""
    with app.app_context():
        return form_timestamp()


def post(client, slug="hello", headers=None, **overrides):
    data = {"rendered_at": stamp(client.application), **comment_data(**overrides)}
    return client.post(f"/articles/{slug}/comments", data=data, headers=headers)


def stored(app) -> list[Comment]:
    with app.app_context():
        return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def test_article_page_shows_form_and_empty_section(client, article):
    response = client.get("/articles/hello")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leave a comment" in html
    assert "No comments yet" in html
    assert "Your email address will not be published." in html
    assert 'name="homepage"' in html
    assert "Save my name, email, and website in this browser" in html


def test_first_comment_is_held_and_shown_only_to_its_author(app, client, article):
    response = post(client)
    assert response.status_code == 303
    [comment] = stored(app)
    assert comment.status == CommentStatus.PENDING
    assert comment.status_reason == "held: first comment from this email"
    assert response.headers["Location"].endswith(f"/articles/hello#comment-{comment.id}")
    own = client.get("/articles/hello").get_data(as_text=True)
    assert "Your comment is awaiting moderation." in own
    assert "A fine article, thank you." in own
    other = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "A fine article, thank you." not in other
    assert "awaiting moderation" not in other
