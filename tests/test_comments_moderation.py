"""Moderation decisions and staff notifications for new comments."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.comments.moderation import Submission
from blueprints.comments.moderation import decide
from models import Comment
from models import CommentStatus
from models import OutboxMail
from models import Role
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user
from tests.test_comments import post
from web.form_guard import SpamProblem


def submission(**overrides) -> Submission:
    values = {
        "name": "Ada",
        "email": "ada@example.org",
        "url": "",
        "body": "Hello there.",
        "ip": "192.0.2.7",
        "user_agent": "Mozilla/5.0",
    }
    values.update(overrides)
    return Submission(**values)


def test_blocklist_wins_over_every_other_rule(make_app):
    app = make_app(COMMENTS_BLOCKLIST=["192.0.2.7"], COMMENTS_MODERATION_WORDS=["x"])
    with app.app_context():
        decision = decide(submission(), SpamProblem.HONEYPOT)
    assert decision.status == CommentStatus.SPAM
    assert decision.reason == "spam: blocklist matched “192.0.2.7”"


def test_links_in_the_name_count(make_app):
    app = make_app(COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False)
    with app.app_context():
        decision = decide(submission(name="https://a.example", body="www.b.example"))
    assert decision.reason == "held: 2 links"


def test_link_rule_can_be_turned_off(make_app):
    app = make_app(COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False, COMMENTS_MAX_LINKS=0)
    with app.app_context():
        decision = decide(submission(body="https://a.example https://b.example"))
    assert decision.status == CommentStatus.APPROVED


def test_only_approved_history_counts(app):
    with app.app_context():
        article = make_article()
        make_comment(article, author_email="ada@example.org", status="spam")
        assert decide(submission()).reason == "held: first comment from this email"
        make_comment(article, author_email="ada@example.org")
        assert decide(submission()).status == CommentStatus.APPROVED


@pytest.fixture
def staff(make_app):
    app = make_app(SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
        make_user(email="admin@folio.example", role=Role.ADMIN)
        make_user(email="mod@folio.example", role=Role.MODERATOR)
        make_user(email="editor@folio.example", role=Role.EDITOR)
        make_user(email="gone@folio.example", role=Role.ADMIN, is_active=False)
    return app


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_held_comment_notifies_active_admins_and_moderators(staff):
    assert post(staff.test_client()).status_code == 303
    [mail] = outbox(staff)
    with staff.app_context():
        comment = db.session.scalar(select(Comment))
    assert mail.comment_id == comment.id
    assert mail.to_addrs == "admin@folio.example, mod@folio.example"
    assert "awaiting moderation" in mail.subject.lower()
    assert "held: first comment from this email" in mail.body
    assert "/staff/" in mail.body
    assert "A fine article, thank you." in mail.body


def test_approved_comment_notifies_only_when_configured(make_app):
    for notify, expected in ((False, 0), (True, 1)):
        app = make_app(
            SPAM_MIN_SECONDS=0,
            COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False,
            COMMENTS_NOTIFY_APPROVED=notify,
        )
        with app.app_context():
            if not db.session.scalar(select(Comment.id).limit(1)):
                make_article(slug="hello")
                make_user(email="admin@folio.example", role=Role.ADMIN)
            before = len(outbox(app))
        post(app.test_client(), comment=f"Notify is {notify}.")
        assert len(outbox(app)) - before == expected


def test_spam_is_never_notified(staff):
    post(staff.test_client(), homepage="bot was here")
    assert outbox(staff) == []


def test_no_staff_means_no_mail_and_no_failure(make_app):
    app = make_app(SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    assert post(app.test_client()).status_code == 303
    assert outbox(app) == []


def test_notification_links_use_site_url(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, SITE_URL="https://blog.example.com/")
    with app.app_context():
        make_article(slug="hello")
        make_user(email="admin@folio.example", role=Role.ADMIN)
    assert post(app.test_client()).status_code == 303
    [mail] = outbox(app)
    assert "https://blog.example.com/staff/comments" in mail.body
    assert "http://localhost" not in mail.body
