"""The contact inbox, the dashboard and staff account management."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from cli.users import create_user
from models import ArticleStatus
from models import CommentStatus
from models import ContactMessage
from models import MessageStatus
from models import OutboxMail
from models import Role
from models import User
from models import db
from models import utcnow
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client


@pytest.fixture
def moderator(app):
    client, _ = staff_client(app, Role.MODERATOR)
    return client


def message(app, status=MessageStatus.NEW, **kw):
    with app.app_context():
        row = ContactMessage(
            name=kw.pop("name", "Rita Reader"),
            email=kw.pop("email", "rita@example.org"),
            subject=kw.pop("subject", "Question & answer"),
            message=kw.pop("message", "Hello there"),
            status=status,
            **kw,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def outbox(app, message_id, **kw):
    with app.app_context():
        mail = OutboxMail(
            to_addrs="team@example.com",
            subject="New contact message",
            body="...",
            contact_message_id=message_id,
            **kw,
        )
        db.session.add(mail)
        db.session.commit()
        return mail.id


def status_of(app, message_id):
    with app.app_context():
        row = db.session.get(ContactMessage, message_id)
        return row.status if row else None


def test_inbox_tabs(app, moderator, htmx_headers):
    message(app, subject="Fresh one")
    message(app, MessageStatus.SPAM, subject="Buy pills")
    page = moderator.get("/staff/inbox").data
    assert b"Fresh one" in page and b"Buy pills" not in page
    spam = moderator.get("/staff/inbox?tab=spam").data
    assert b"Buy pills" in spam and b"Fresh one" not in spam
    fragment = moderator.get("/staff/inbox?tab=spam", headers=htmx_headers)
    assert fragment.data.lstrip().startswith(b'<div id="inbox-list">')
    assert "HX-Request" in fragment.headers["Vary"]
    assert moderator.get("/staff/inbox?tab=bogus&page=7").status_code == 200


def test_open_marks_read_and_offers_reply(app, moderator):
    message_id = message(app)
    page = moderator.get(f"/staff/inbox/{message_id}")
    assert page.status_code == 200
    assert status_of(app, message_id) == MessageStatus.READ
    text = page.data.decode()
    assert (
        'href="mailto:rita@example.org?subject=Re%3A%20Question%20%26%20answer"' in text
    )
    assert "Hello there" in text


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (MessageStatus.READ, "archive", MessageStatus.ARCHIVED),
        (MessageStatus.NEW, "spam", MessageStatus.SPAM),
        (MessageStatus.SPAM, "not_spam", MessageStatus.READ),
        (MessageStatus.READ, "unread", MessageStatus.NEW),
        (MessageStatus.ARCHIVED, "unarchive", MessageStatus.READ),
    ],
)
def test_message_actions(app, moderator, start, action, end):
    message_id = message(app, start)
    response = moderator.post(f"/staff/inbox/{message_id}/{action}")
    assert response.status_code == 303
    assert status_of(app, message_id) == end


def test_message_bad_action_and_missing(app, moderator):
    message_id = message(app)
    assert moderator.post(f"/staff/inbox/{message_id}/explode").status_code == 404
    assert moderator.get("/staff/inbox/999").status_code == 404


def test_delete_message_is_confirmed(app, moderator):
    message_id = message(app)
    confirm = moderator.get(f"/staff/inbox/{message_id}/delete")
    assert b"cannot be undone" in confirm.data
    assert status_of(app, message_id) == MessageStatus.NEW
    response = moderator.post(f"/staff/inbox/{message_id}/delete")
    assert response.status_code == 303
    assert status_of(app, message_id) is None


def test_delivery_state_and_retry(app, moderator):
    message_id = message(app)
    lease = utcnow() + timedelta(minutes=5)
    mail_id = outbox(
        app,
        message_id,
        attempts=3,
        last_error="connection refused",
        next_attempt_at=utcnow() + timedelta(hours=2),
        locked_until=lease,
    )
    page = moderator.get(f"/staff/inbox/{message_id}").data.decode()
    assert "failed" in page and "connection refused" in page and "Retry now" in page
    # A mail a sender holds (leased) is left alone: no second, overlapping send.
    response = moderator.post(f"/staff/inbox/mail/{mail_id}/retry")
    assert response.status_code == 303
    assert "being sent right now" in moderator.get(response.headers["Location"]).text
    with app.app_context():
        mail = db.session.get(OutboxMail, mail_id)
        assert mail.locked_until is not None
        assert mail.next_attempt_at > utcnow() + timedelta(hours=1)
        mail.locked_until = None  # the attempt failed and let go
        db.session.commit()
    before = utcnow()
    assert moderator.post(f"/staff/inbox/mail/{mail_id}/retry").status_code == 303
    with app.app_context():
        mail = db.session.get(OutboxMail, mail_id)
        assert mail.next_attempt_at <= utcnow()
        assert mail.next_attempt_at >= before - timedelta(seconds=1)


def test_sent_mail_has_no_retry(app, moderator):
    message_id = message(app)
    mail_id = outbox(app, message_id, attempts=1, sent_at=utcnow())
    page = moderator.get(f"/staff/inbox/{message_id}").data.decode()
    assert "sent" in page and "Retry now" not in page
    moderator.post(f"/staff/inbox/mail/{mail_id}/retry")
    with app.app_context():
        assert db.session.get(OutboxMail, mail_id).sent_at is not None


def test_inbox_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app, Role.MODERATOR)
    message_id = message(app)
    assert 'name="csrf_token"' in client.get(f"/staff/inbox/{message_id}").data.decode()
    assert client.post(f"/staff/inbox/{message_id}/archive").status_code == 400


def test_dashboard_counts_by_role(app):
    with app.app_context():
        article = make_article(title="Live")
        make_comment(article, status=CommentStatus.PENDING, body="Waiting comment")
        make_article(title="My draft", status=ArticleStatus.DRAFT, published_ago=None)
        make_article(title="Coming soon", published_ago=-timedelta(days=1))
    message(app, subject="Inbox item")
    admin, _ = staff_client(app, Role.ADMIN)
    page = admin.get("/staff/").data.decode()
    for text in ("Waiting comment", "Inbox item", "My draft", "Coming soon"):
        assert text in page
    editor, _ = staff_client(app, Role.EDITOR)
    page = editor.get("/staff/").data.decode()
    assert "My draft" in page and "Inbox item" not in page
    moderator, _ = staff_client(app, Role.MODERATOR)
    page = moderator.get("/staff/").data.decode()
    assert "Inbox item" in page and "My draft" not in page


def test_admin_adds_account(app):
    admin, _ = staff_client(app)
    assert admin.get("/staff/users").status_code == 200
    response = admin.post(
        "/staff/users",
        data={
            "email": "New@Example.com",
            "display_name": "Newbie",
            "role": "moderator",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.com"))
        assert user.role == Role.MODERATOR
        assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("data", "message_text"),
    [
        ({"email": "not-an-email"}, b"Invalid email"),
        ({"email": "dup@example.com"}, b"already exists"),
        ({"password": "short"}, b"at least 12"),
        ({"role": "owner"}, b"Not a valid choice"),
        ({"display_name": ""}, b"required"),
    ],
)
def test_add_account_rejects(app, data, message_text):
    admin, _ = staff_client(app)
    with app.app_context():
        create_user("dup@example.com", "x" * 12, Role.EDITOR, "Dup")
        db.session.commit()
    form = {
        "email": "fresh@example.com",
        "display_name": "Fresh",
        "role": "editor",
        "password": "a long enough password",
        **data,
    }
    response = admin.post("/staff/users", data=form)
    assert response.status_code == 422
    assert message_text in response.data


def test_admin_changes_role_and_deactivates(app):
    admin, _ = staff_client(app)
    with app.app_context():
        other = create_user("other@example.com", "x" * 12, Role.EDITOR, "Other")
        db.session.commit()
        other_id = other.id
    assert (
        admin.post(
            f"/staff/users/{other_id}/role", data={"role": "moderator"}
        ).status_code
        == 303
    )
    assert admin.post(f"/staff/users/{other_id}/active").status_code == 303
    with app.app_context():
        other = db.session.get(User, other_id)
        assert other.role == Role.MODERATOR and not other.is_active
    admin.post(f"/staff/users/{other_id}/active")
    with app.app_context():
        assert db.session.get(User, other_id).is_active
    assert (
        admin.post(f"/staff/users/{other_id}/role", data={"role": "root"}).status_code
        == 400
    )
    assert admin.post("/staff/users/999/active").status_code == 404


def test_admin_cannot_lock_themselves_out(app):
    admin, admin_id = staff_client(app)
    admin.post(f"/staff/users/{admin_id}/role", data={"role": "editor"})
    admin.post(f"/staff/users/{admin_id}/active")
    with app.app_context():
        me = db.session.get(User, admin_id)
        assert me.role == Role.ADMIN and me.is_active


def test_dashboard_has_no_n_plus_one(app):
    from storage import sqlcount

    admin, _ = staff_client(app)
    with app.app_context():
        make_comment(make_article(), status=CommentStatus.PENDING)
    admin.get("/staff/")
    with sqlcount.count_statements(app) as few:
        admin.get("/staff/")
    with app.app_context():
        for _ in range(4):
            make_comment(make_article(), status=CommentStatus.PENDING)
            make_article(status=ArticleStatus.DRAFT, published_ago=None)
        for _ in range(4):
            message(app)
    with sqlcount.count_statements(app) as many:
        admin.get("/staff/")
    assert len(many) == len(few)
