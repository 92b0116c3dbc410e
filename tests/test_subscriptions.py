"""Reply notifications: consent from the comment form, confirming, notices, digests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.comments.moderation import set_status
from blueprints.subscriptions.digest import send_due_digests
from blueprints.subscriptions.notices import note
from blueprints.subscriptions.notices import note_changes
from models import Article
from models import Comment
from models import CommentStatus
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from models import SubscriptionNotice
from models import db
from models import utcnow
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.subscriptions import confirm_everything
from tests.support.subscriptions import headers_of
from tests.support.subscriptions import link_path
from tests.support.subscriptions import outbox
from tests.test_comments import post

ADA = "ada@example.org"


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0, NOTIFY_DIGEST_MINUTES=30)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        # Ada has an approved comment, so her next ones are approved at once.
        make_comment(a, author_email=ADA, author_name="Ada Reader")
        return a.id


def _subscriptions(app) -> list[Subscription]:
    with app.app_context():
        rows = list(db.session.scalars(select(Subscription).order_by(Subscription.id)))
        db.session.expunge_all()
    return rows


def _confirm(app, email: str) -> None:
    with app.app_context(), write_transaction():
        confirm_everything(email)


def _last_comment_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Comment.id).order_by(Comment.id.desc()))


def _reply(client, parent_id: int, email: str, **data):
    data.setdefault("author", "Bob Replier")
    data.setdefault("comment", f"A reply from {email}.")
    return post(client, email=email, parent_id=str(parent_id), **data)


def _subscribed_ada(app, client) -> int:
    """Ada comments with "Email me when someone replies" and confirms; her comment's id."""
    assert post(client, notify_replies="y").status_code == 303
    _confirm(app, ADA)
    return _last_comment_id(app)


def _approved_replier(app, article_id: int, email: str) -> None:
    with app.app_context():
        make_comment(db.session.get(Article, article_id), author_email=email)


def test_form_shows_unticked_boxes_and_follow_link(client, article):
    html = client.get("/articles/hello").get_data(as_text=True)
    assert "Email me when someone replies" in html
    assert "Email me about new comments on this article" in html
    assert (
        'name="notify_replies"' in html
        and "checked" not in html.split('name="notify_replies"')[1].split(">")[0]
    )
    assert "/articles/hello/follow" in html


def test_no_box_ticked_stores_no_address(app, client, article):
    assert post(client).status_code == 303
    assert _subscriptions(app) == []
    assert outbox(app, ADA) == []


def test_ticked_box_records_wish_and_mails_one_confirmation(app, client, article):
    response = post(client, notify_replies="y", notify_article="y")
    assert response.status_code == 303
    kinds = {s.kind for s in _subscriptions(app)}
    assert kinds == {SubscriptionKind.REPLIES, SubscriptionKind.ARTICLE}
    [mail] = outbox(app, ADA)
    assert "Confirm your email address" in mail.subject
    assert "/subscriptions/confirm/" in mail.body
    assert "replies to a comment on “Hello comments”" in mail.body
    assert "new comments on “Hello comments”" in mail.body
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "If this address has not confirmed this yet" in page


def test_htmx_answer_says_what_happens(app, client, article, htmx_headers):
    response = post(client, headers=htmx_headers, notify_replies="y")
    assert response.status_code == 200
    first = response.get_data(as_text=True)
    assert "If this address has not confirmed this yet" in first
    _confirm(app, ADA)
    response = post(
        client, headers=htmx_headers, notify_replies="y", comment="And another one."
    )
    # The same words for a confirmed address: the answer tells nobody which.
    assert "If this address has not confirmed this yet" in response.text
    # The new wish waits: a confirmation went within the day.
    assert len(outbox(app, ADA)) == 1


def test_confirm_get_changes_nothing_post_confirms(app, client, article):
    post(client, notify_replies="y")
    path = link_path(outbox(app, ADA)[0].body)
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm" in page.get_data(as_text=True)
    assert "replies to a comment on “Hello comments”" in page.text
    with app.app_context():
        assert db.session.scalar(select(Subscription.confirmed_at)) is None
    done = client.post(path)
    assert done.status_code == 200
    assert "that is confirmed" in done.get_data(as_text=True)
    again = client.post(path)
    assert "Nothing is waiting for this link" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Subscription.confirmed_at)) is not None
        assert db.session.scalar(select(ReaderAddress.confirmed_at)) is not None


def test_confirm_htmx_returns_the_box(app, client, article, htmx_headers):
    post(client, notify_replies="y")
    path = link_path(outbox(app, ADA)[0].body)
    response = client.post(path, headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="confirm-box"')
    assert "HX-Request" in response.headers["Vary"]


def test_approved_reply_mails_one_notice_with_unsubscribe_headers(app, client, article):
    parent = _subscribed_ada(app, client)
    _approved_replier(app, article, "bob@example.org")
    assert _reply(client, parent, "bob@example.org").status_code == 303
    [confirm, notice] = outbox(app, ADA)
    assert notice.subject == "[Folio] New reply to your comment on “Hello comments”"
    assert "Bob Replier wrote:" in notice.body
    assert f"#comment-{_last_comment_id(app)}" in notice.body
    assert "Unsubscribe from this thread" in notice.body
    assert "Unsubscribe from everything" in notice.body
    headers = headers_of(notice)
    assert headers["List-Unsubscribe"].startswith("<http://localhost/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_reply_deeper_in_the_thread_notifies_the_ancestor(app, client, article):
    parent = _subscribed_ada(app, client)
    _approved_replier(app, article, "bob@example.org")
    _reply(client, parent, "bob@example.org")
    child = _last_comment_id(app)
    _approved_replier(app, article, "cy@example.org")
    _reply(client, child, "cy@example.org")
    # The second one waits for the digest (within the interval).
    with app.app_context():
        assert db.session.scalar(select(Subscription.due_at)) is not None
        waiting = select(SubscriptionNotice).where(
            SubscriptionNotice.mailed_at.is_(None)
        )
        assert len(db.session.scalars(waiting).all()) == 1


def test_held_reply_is_not_announced_until_approved(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, "new@example.org")  # first comment: held
    assert len(outbox(app, ADA)) == 1
    with app.app_context():
        reply = db.session.get(Comment, _last_comment_id(app))
        assert reply.status == CommentStatus.PENDING
    with app.test_request_context(), write_transaction():
        reply = db.session.get(Comment, reply.id)
        note_changes([set_status(reply, CommentStatus.APPROVED, "approved: by staff")])
    assert len(outbox(app, ADA)) == 2


@pytest.mark.parametrize("status", [CommentStatus.SPAM, CommentStatus.TRASH])
def test_spam_or_trash_reply_never_mails(app, client, article, status):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, "new@example.org")
    with app.test_request_context(), write_transaction():
        reply = db.session.get(Comment, _last_comment_id(app))
        note_changes([set_status(reply, status, "by staff")])
    assert len(outbox(app, ADA)) == 1


def test_own_reply_does_not_notify(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, ADA, author="Ada Reader")
    assert len(outbox(app, ADA)) == 1


def test_unconfirmed_address_is_never_mailed_a_notice(app, client, article):
    assert post(client, notify_replies="y").status_code == 303
    parent = _last_comment_id(app)
    _approved_replier(app, article, "bob@example.org")
    _reply(client, parent, "bob@example.org")
    [only] = outbox(app, ADA)
    assert "Confirm" in only.subject


def test_one_mail_per_address_for_thread_and_article(app, client, article):
    post(client, notify_replies="y", notify_article="y")
    _confirm(app, ADA)
    parent = _last_comment_id(app)
    _approved_replier(app, article, "bob@example.org")
    _reply(client, parent, "bob@example.org")
    notices = outbox(app, ADA)[1:]
    assert len(notices) == 1
    assert "New reply to your comment" in notices[0].subject


def test_article_follower_hears_about_a_top_level_comment(app, client, article):
    post(client, notify_article="y")
    _confirm(app, ADA)
    _approved_replier(app, article, "bob@example.org")
    post(client, email="bob@example.org", author="Bob", comment="Top level.")
    [notice] = outbox(app, ADA)[1:]
    assert notice.subject == "[Folio] New comment on “Hello comments”"


def test_staff_reply_notifies(app, client, article):
    from blueprints.staff.moderation_actions import post_staff_reply
    from models import User
    from tests.support.factories import make_user

    parent = _subscribed_ada(app, client)
    with app.app_context():
        user_id = make_user(email="ed@example.com").id
    with app.test_request_context():
        with write_transaction():
            comment = db.session.get(Comment, parent)
            reply = post_staff_reply(comment, db.session.get(User, user_id), "Thanks!")
            note([reply])
    assert len(outbox(app, ADA)) == 2


def test_digest_collects_replies_into_one_mail(app, client, article):
    parent = _subscribed_ada(app, client)
    for email in ("bob@example.org", "cy@example.org", "di@example.org"):
        _approved_replier(app, article, email)
        _reply(client, parent, email, author=email.split("@")[0].title())
    assert len(outbox(app, ADA)) == 2  # confirmation, the first reply
    with app.app_context():
        assert send_due_digests(app) == 0  # not due yet
    with app.app_context(), write_transaction():
        subscription = db.session.scalar(select(Subscription))
        subscription.due_at = utcnow() - timedelta(seconds=1)
    with app.app_context():
        assert send_due_digests(app) == 1
        # Kept, marked mailed, each naming the mail that carried it.
        notices = db.session.scalars(select(SubscriptionNotice)).all()
        assert len(notices) == 3
        assert all(n.mailed_at is not None and n.outbox_id for n in notices)
        assert db.session.scalar(select(Subscription.due_at)) is None
    digest = outbox(app, ADA)[-1]
    assert digest.subject == "[Folio] 2 new replies to your comment on “Hello comments”"
    assert "Cy wrote:" in digest.body and "Di wrote:" in digest.body


def test_flask_outbox_send_runs_the_digests(app, client, article, runner):
    parent = _subscribed_ada(app, client)
    for email in ("bob@example.org", "cy@example.org"):
        _approved_replier(app, article, email)
        _reply(client, parent, email)
    with app.app_context(), write_transaction():
        db.session.scalar(select(Subscription)).due_at = utcnow() - timedelta(seconds=1)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert len(outbox(app, ADA)) == 3


def test_spam_comment_with_a_ticked_box_records_and_mails_nothing(make_app, article):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_BLOCKLIST="casino")
    client = app.test_client()
    response = post(client, comment="Best casino deals", notify_replies="y")
    assert response.status_code == 303
    assert _subscriptions(app) == []
    assert outbox(app, ADA) == []


def test_before_each_round_runs_every_callable_and_survives_errors(app):
    from mail import outbox as mail_outbox

    seen = []

    def broken(flask_app):
        raise RuntimeError("a bug")

    mail_outbox.before_each_round(app, broken)
    mail_outbox.before_each_round(app, seen.append)
    report = mail_outbox.send_due(app)  # no SMTP host: nothing is claimed
    assert report.claimed == 0
    assert seen == [app]


def test_the_digest_sender_is_registered_with_the_outbox(app):
    from mail.outbox import BEFORE_ROUND

    assert send_due_digests in app.extensions[BEFORE_ROUND]
