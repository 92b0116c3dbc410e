"""Staff edits of a comment's text: history kept, audited, cached list refreshed."""

import pytest
from sqlalchemy import select

from models import Article
from models import AuditAction
from models import AuditEvent
from models import Comment
from models import CommentRevision
from models import CommentStatus
from models import Role
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client


@pytest.fixture
def moderator(app):
    client, _ = staff_client(app, Role.MODERATOR, display_name="Mo")
    return client


def one(app, status=CommentStatus.APPROVED):
    with app.app_context():
        article = make_article(title="The article", slug="the-article")
        comment = make_comment(article, body="Teh original.", status=status)
        return comment.id, article.id


def test_edit_form_shows_history(app, moderator, htmx_headers):
    comment_id, _ = one(app)
    form = moderator.get(f"/staff/comments/{comment_id}/edit", headers=htmx_headers)
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert html.lstrip().startswith(f'<li id="comment-row-{comment_id}"')
    assert "Teh original." in html and "Earlier versions" in html
    page = moderator.get(f"/staff/comments/{comment_id}/edit")
    assert b"<html" in page.data


def test_staff_edit_keeps_history_audits_and_bumps_version(
    app, moderator, htmx_headers
):
    comment_id, article_id = one(app)
    with app.app_context():
        version = db.session.get(Article, article_id).comments_version
    response = moderator.post(
        f"/staff/comments/{comment_id}/edit",
        data={f"edit-{comment_id}-body": "The original."},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    assert f'id="comment-row-{comment_id}"' in response.get_data(as_text=True)
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert comment.body == "The original." and comment.edited_at is not None
        revision = db.session.scalars(select(CommentRevision)).one()
        assert revision.body == "Teh original."
        assert revision.editor.display_name == "Mo"
        assert db.session.get(Article, article_id).comments_version > version
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.COMMENT_EDITED)
        ).one()
        assert event.actor_id is not None
    history = moderator.get(f"/staff/comments/{comment_id}/edit").get_data(as_text=True)
    assert "Teh original." in history and "by Mo" in history
    public = app.test_client().get("/articles/the-article").get_data(as_text=True)
    assert "The original." in public and ">edited</time>" in public
    log = moderator.get("/staff/audit")
    if log.status_code == 200:
        assert "Comment text edited" in log.get_data(as_text=True)


def test_staff_edit_without_js_redirects(app, moderator):
    comment_id, _ = one(app)
    response = moderator.post(
        f"/staff/comments/{comment_id}/edit",
        data={f"edit-{comment_id}-body": "Fixed.", "next": "/staff/comments"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("body", ["", "   "])
def test_staff_edit_rejects_empty(app, moderator, htmx_headers, body):
    comment_id, _ = one(app)
    response = moderator.post(
        f"/staff/comments/{comment_id}/edit",
        data={f"edit-{comment_id}-body": body},
        headers=htmx_headers,
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Comment, comment_id).body == "Teh original."


def test_edit_needs_staff(app, client):
    comment_id, _ = one(app)
    response = client.post(
        f"/staff/comments/{comment_id}/edit", data={f"edit-{comment_id}-body": "x"}
    )
    assert response.status_code in (302, 303, 401, 403)
    with app.app_context():
        assert db.session.get(Comment, comment_id).body == "Teh original."
