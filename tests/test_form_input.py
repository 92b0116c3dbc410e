"""Forms read text fields only: a file part or a JSON body is a 4xx, never a 500."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func
from sqlalchemy import select

from models import Comment
from models import ContactMessage
from models import db
from tests.support.factories import make_article
from web.form_guard import form_timestamp

COMMENT = {"author": "Ada", "email": "ada@example.org", "comment": "Hello there."}
CONTACT = {
    "name": "Ada",
    "email": "ada@example.org",
    "subject": "A question",
    "message": "Hello! A question about the last article.",
}
LOGIN = {"email": "ada@example.org", "password": "not the password"}


@pytest.fixture
def app(make_app):
    app = make_app(SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    return app


def _stamp(app) -> str:
    with app.test_request_context():
        return form_timestamp()


def _stored(app) -> int:
    with app.app_context():
        comments = db.session.scalar(select(func.count(Comment.id)))
        messages = db.session.scalar(select(func.count(ContactMessage.id)))
        return comments + messages


@pytest.mark.parametrize(
    ("url", "fields", "name"),
    [
        *(("/articles/hello/comments", COMMENT, name) for name in COMMENT),
        *(("/contact/", CONTACT, name) for name in ("name", "email", "message")),
        *(("/staff/login", LOGIN, name) for name in LOGIN),
    ],
)
def test_text_field_sent_as_a_file_is_missing_not_a_500(app, url, fields, name):
    data = {**fields, "rendered_at": _stamp(app)}
    data[name] = (io.BytesIO(b"text in a file part"), "field.txt")
    response = app.test_client().post(
        url, data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert _stored(app) == 0


def test_contact_field_check_with_a_file_part_answers(app):
    response = app.test_client().post(
        "/contact/validate/name",
        data={"name": (io.BytesIO(b"Ada"), "name.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Enter your name." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/articles/hello/comments", "/contact/", "/staff/login"]
)
def test_json_body_is_not_read_as_a_form(app, url):
    body = {**COMMENT, **CONTACT, **LOGIN, "comment": {"nested": ["object"]}}
    response = app.test_client().post(url, json=body)
    assert response.status_code == 422
    assert _stored(app) == 0


@pytest.mark.parametrize("parent_id", ["²", "①", "٣", "1²"])
def test_reply_to_a_number_int_refuses_is_a_422(app, parent_id):
    data = {**COMMENT, "rendered_at": _stamp(app), "parent_id": parent_id}
    response = app.test_client().post("/articles/hello/comments", data=data)
    assert response.status_code == 422
    assert "no longer available" in response.get_data(as_text=True)
    assert _stored(app) == 0
