"""comment_removed: sent after commit when staff, an author or an erasure remove one."""

from __future__ import annotations

import pytest

from blueprints.comments.removals import RemovalReason
from models import Comment
from models import CommentStatus
from models import Role
from signals import comment_removed
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client
from tests.test_signals import committed
from tests.test_signals import received


@pytest.fixture
def app(make_app):
    return make_app()


def test_staff_delete_and_bulk_delete_announce_each_removal(app):
    with app.app_context():
        article = make_article(slug="hello")
        one = make_comment(article, status=CommentStatus.SPAM, body="Spam one.").id
        two = make_comment(article, status=CommentStatus.TRASH, body="Trash two.").id
        kept = make_comment(article, body="Approved, not deletable.").id
    moderator, _ = staff_client(app, Role.MODERATOR)
    with received(comment_removed, app) as calls:
        moderator.post(f"/staff/comments/{one}/delete")
        moderator.post(
            "/staff/comments/bulk",
            data={"action": "delete", "ids": [str(two), str(kept)], "confirm": "yes"},
        )
    assert [(c["comment"].id, c["reason"]) for c in calls] == [
        (one, RemovalReason.STAFF),
        (two, RemovalReason.STAFF),
    ]
    assert calls[0]["comment"].body == "Spam one."
    assert calls[0]["article"].slug == "hello"
    with app.app_context():
        assert not committed(Comment, one) and committed(Comment, kept)
