"""A plugin's signal receiver runs after the commit, never for a rolled-back post."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import blueprints.comments.views as comment_views
from models import Comment
from models import db
from tests.support.factories import make_article
from tests.support.plugin_doubles.listener import heard
from tests.test_comments import post


@pytest.fixture
def app(make_app, install_plugins):
    install_plugins(listener="tests.support.plugin_doubles.listener:plugin")
    app = make_app(PLUGINS=["listener"], SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    return app


def _stored(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Comment.id)))


def test_receiver_sees_the_committed_comment(app):
    client = app.test_client()
    assert post(client, comment="Heard after commit.").status_code == 303
    [comment_id] = _stored(app)
    assert heard(app) == [(comment_id, "Heard after commit.")]
    # The same comment again is a duplicate: nothing stored, nothing sent.
    assert post(client, comment="Heard after commit.").status_code == 422
    assert heard(app) == [(comment_id, "Heard after commit.")]


def test_receiver_not_called_for_a_rolled_back_post(app, monkeypatch):
    real_insert = comment_views.insert_comment

    def insert_then_fail(*args, **kwargs):
        real_insert(*args, **kwargs)
        raise RuntimeError("the disk filled up after the insert")

    monkeypatch.setattr(comment_views, "insert_comment", insert_then_fail)
    with pytest.raises(RuntimeError, match="disk filled up"):
        post(app.test_client(), comment="Never kept.")
    assert _stored(app) == []
    assert heard(app) == []
