"""Reply notices kept once mailed: never twice, never raced, never lost, and
gone with the words of a reader who erases herself."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import text

from blueprints.comments.moderation import set_status
from blueprints.readers.erasure import erase
from blueprints.subscriptions import notices
from blueprints.subscriptions.digest import claim
from blueprints.subscriptions.digest import send_due_digests
from blueprints.subscriptions.notices import note_changes
from blueprints.subscriptions.tokens import unsubscribe_token
from models import Article
from models import Comment
from models import CommentStatus
from models import ReaderAddress
from models import Role
from models import Subscription
from models import SubscriptionKind
from models import SubscriptionNotice
from models import db
from models import utcnow
from storage import sqlcount
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client
from tests.support.subscriptions import outbox
from tests.test_comments import post
from tests.test_subscriptions import ADA
from tests.test_subscriptions import _approved_replier
from tests.test_subscriptions import _confirm
from tests.test_subscriptions import _last_comment_id
from tests.test_subscriptions import _reply
from tests.test_subscriptions import _subscribed_ada

BOB = "bob@example.org"
CY = "cy@example.org"


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0, NOTIFY_DIGEST_MINUTES=30)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        make_comment(a, author_email=ADA, author_name="Ada Reader")
        make_comment(a, author_email=BOB, author_name="Bob")
        return a.id


def _notices(app) -> list[SubscriptionNotice]:
    with app.app_context():
        rows = list(db.session.scalars(select(SubscriptionNotice)))
        db.session.expunge_all()
    return rows


def _move(app, comment_id: int, status: CommentStatus) -> None:
    """Staff move a comment to status, as the moderation views do."""
    with app.test_request_context(), write_transaction():
        comment = db.session.get(Comment, comment_id)
        note_changes([set_status(comment, status, f"{status.value} by staff")])


def _due_now(app) -> None:
    with app.app_context(), write_transaction():
        for subscription in db.session.scalars(select(Subscription)):
            subscription.due_at = utcnow() - timedelta(seconds=1)
            subscription.last_mailed_at = utcnow() - timedelta(hours=1)


def test_reply_approved_held_approved_is_mailed_once(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, BOB)
    reply = _last_comment_id(app)
    assert len(outbox(app, ADA)) == 2
    [notice] = _notices(app)
    assert notice.mailed_at is not None and notice.outbox_id is not None
    _move(app, reply, CommentStatus.PENDING)
    _move(app, reply, CommentStatus.APPROVED)
    _due_now(app)
    with app.app_context():
        assert send_due_digests(app) == 0
    assert len(outbox(app, ADA)) == 2
    assert len(_notices(app)) == 1


def test_a_thread_wish_confirmed_later_does_not_mail_a_reply_twice(
    app, client, article
):
    # Ada follows the article, then asks for replies to her comment: unconfirmed,
    # so the reply is noted on the article subscription and mailed at once.
    assert client.post("/articles/hello/follow", data={"email": ADA}).status_code == 303
    _confirm(app, ADA)
    assert post(client, notify_replies="y").status_code == 303
    parent = _last_comment_id(app)
    _reply(client, parent, BOB, comment="Bob's one reply.")
    reply = _last_comment_id(app)
    _confirm(app, ADA)  # now her thread subscription is the one chosen
    _move(app, reply, CommentStatus.PENDING)
    _move(app, reply, CommentStatus.APPROVED)
    _due_now(app)
    with app.app_context():
        send_due_digests(app)
    assert len([m for m in outbox(app, ADA) if "Bob's one reply." in m.body]) == 1
    assert len(_notices(app)) == 1


def test_a_thread_unfollowed_with_the_article_followed_does_not_mail_a_reply_twice(
    app, client, article
):
    assert client.post("/articles/hello/follow", data={"email": ADA}).status_code == 303
    assert post(client, notify_replies="y").status_code == 303
    _confirm(app, ADA)
    _reply(client, _last_comment_id(app), BOB, comment="Bob's one reply.")
    reply = _last_comment_id(app)  # mailed on her thread subscription
    with app.app_context():
        address = db.session.scalar(
            select(ReaderAddress).where(ReaderAddress.email == ADA)
        )
        thread = db.session.scalar(
            select(Subscription.id).where(Subscription.kind == SubscriptionKind.REPLIES)
        )
        token = unsubscribe_token(address, thread)
    assert (
        client.post(f"/unsubscribe/{token}", data={"scope": "this"}).status_code == 200
    )
    _move(app, reply, CommentStatus.PENDING)
    _move(app, reply, CommentStatus.APPROVED)  # now her article subscription
    _due_now(app)
    with app.app_context():
        send_due_digests(app)
    assert len([m for m in outbox(app, ADA) if "Bob's one reply." in m.body]) == 1
    assert len(_notices(app)) == 1


def _digest_with_cy_and_bob(app, client, article: int) -> int:
    """Ada's digest, queued and not yet sent, carries Cy's reply and Bob's second;
    the id of Bob's second reply."""
    _approved_replier(app, article, CY)
    parent = _subscribed_ada(app, client)
    _reply(client, parent, BOB)  # mailed at once
    _reply(client, parent, CY, author="Cy", comment="Cy's words.")  # waits
    _reply(client, parent, BOB, comment="Bob again.")  # waits
    bob_again = _last_comment_id(app)
    _due_now(app)
    with app.app_context():
        assert send_due_digests(app) == 1
    digest = outbox(app, ADA)[-1]
    assert "Cy's words." in digest.body and "Bob again." in digest.body
    assert digest.sent_at is None
    return bob_again


def _next_digest_has_cy_without_bob(app) -> None:
    assert not any("Bob again." in mail.body for mail in outbox(app))
    _due_now(app)
    with app.app_context():
        assert send_due_digests(app) == 1
    digest = outbox(app, ADA)[-1]
    assert "Cy's words." in digest.body
    assert "Bob again." not in digest.body


def test_erasure_requeues_the_others_replies_of_an_unsent_digest(app, client, article):
    _digest_with_cy_and_bob(app, client, article)
    with app.test_request_context(), write_transaction():
        erase(BOB)
    _next_digest_has_cy_without_bob(app)


def test_author_delete_requeues_the_others_replies_of_an_unsent_digest(
    app, client, article
):
    bob_again = _digest_with_cy_and_bob(app, client, article)
    from tests.test_readers import sign_in

    sign_in(client, app, BOB)
    assert client.post(f"/your-comments/{bob_again}/delete").status_code == 303
    _next_digest_has_cy_without_bob(app)


def test_digest_after_an_immediate_mail_claims_nothing(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, BOB)
    # The digest comes round too (as it would in a race lost to the approval).
    _due_now(app)
    with app.app_context():
        assert send_due_digests(app) == 0
    assert len(outbox(app, ADA)) == 2


def test_a_second_claim_of_the_same_notices_gets_nothing(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, "cy@example.org", author="Cy")  # held: first comment
    _move(app, _last_comment_id(app), CommentStatus.APPROVED)
    with app.app_context():
        ids = list(db.session.scalars(select(Subscription.id)))
        # Waiting again (as if the approval's write had not mailed it yet).
        with write_transaction():
            db.session.execute(
                SubscriptionNotice.__table__.update().values(mailed_at=None)
            )
        with write_transaction():
            first = db.session.execute(claim(ids, utcnow())).all()
        with write_transaction():
            second = db.session.execute(claim(ids, utcnow())).all()
    assert len(first) == 1
    assert second == []


def test_concurrent_claims_on_postgresql_claim_each_notice_once(app, client, article):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time")
    parent = _subscribed_ada(app, client)
    _reply(client, parent, BOB)
    with app.app_context():
        ids = list(db.session.scalars(select(Subscription.id)))
        db.session.execute(SubscriptionNotice.__table__.update().values(mailed_at=None))
        db.session.commit()
        engine = db.engine
    first = engine.connect()
    trans = first.begin()
    assert len(first.execute(claim(ids, utcnow())).all()) == 1
    got: list = []

    def second_claimer():
        with engine.begin() as second:
            got.extend(second.execute(claim(ids, utcnow())).all())

    thread = threading.Thread(target=second_claimer)
    thread.start()
    # Wait until the second claimer blocks on the rows the first holds.
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    )
    with engine.connect() as watcher:
        for _ in range(1000):
            if watcher.execute(waiting).scalar():
                break
            time.sleep(0.005)
        else:
            pytest.fail("the second claimer never waited for the first")
    trans.commit()
    first.close()
    thread.join()
    assert got == []


def test_only_confirmed_subscriptions_are_mailed(app, client, article):
    parent = _subscribed_ada(app, client)
    with app.app_context(), write_transaction():
        db.session.scalar(select(Subscription)).confirmed_at = None
    _reply(client, parent, BOB)
    assert len(outbox(app, ADA)) == 1  # the confirmation only


def test_notice_is_written_in_the_comments_own_write(app, client, article, monkeypatch):
    class Broken:
        def send(self, *args, **kwargs):
            raise RuntimeError("nothing runs after commit")

    parent = _subscribed_ada(app, client)
    monkeypatch.setattr("blueprints.comments.views.comment_created", Broken())
    with pytest.raises(RuntimeError):
        _reply(client, parent, BOB)
    assert len(outbox(app, ADA)) == 2
    assert len(_notices(app)) == 1


def test_erase_deletes_the_mails_that_quoted_her_comments(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, BOB, comment="Bob's words about Ada's comment.")
    [_, notice] = outbox(app, ADA)
    assert "Bob's words" in notice.body
    with app.test_request_context(), write_transaction():
        erase(BOB)
    assert len(outbox(app, ADA)) == 1
    assert not any("Bob's words" in mail.body for mail in outbox(app))


def test_waiting_notices_of_an_erased_reader_are_never_mailed(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, "di@example.org", author="Di")  # held
    _reply(client, parent, BOB)  # mailed at once
    reply = _last_comment_id(app)
    _reply(client, reply, "cy@example.org", author="Cy")  # held, under Bob's
    with app.app_context():
        di, cy = db.session.scalars(
            select(Comment.id)
            .where(Comment.author_email.in_(["di@example.org", "cy@example.org"]))
            .order_by(Comment.id)
        ).all()
    _move(app, di, CommentStatus.APPROVED)  # waits for the digest
    _reply(client, parent, BOB, comment="Another one from Bob.")  # waits too
    _move(app, cy, CommentStatus.APPROVED)
    with app.test_request_context(), write_transaction():
        erase(BOB)
    _due_now(app)
    with app.app_context():
        assert send_due_digests(app) == 1
    digest = outbox(app, ADA)[-1]
    assert "Another one from Bob." not in digest.body
    assert "Di" in digest.body


def test_author_delete_drops_the_waiting_notice(app, client, article):
    parent = _subscribed_ada(app, client)
    _reply(client, parent, "di@example.org", author="Di")
    _move(app, _last_comment_id(app), CommentStatus.APPROVED)  # mailed at once
    _reply(client, parent, BOB, comment="Soon deleted.")  # waits for the digest
    bob_reply = _last_comment_id(app)
    with app.app_context():
        with write_transaction():
            make_comment(
                db.session.get(Article, article),
                parent=db.session.get(Comment, bob_reply),
                author_email="eve@example.org",
            )
    from tests.test_readers import sign_in

    sign_in(client, app, BOB)
    assert client.post(f"/your-comments/{bob_reply}/delete").status_code == 303
    with app.app_context():
        waiting = db.session.scalars(
            select(SubscriptionNotice).where(SubscriptionNotice.mailed_at.is_(None))
        ).all()
    assert waiting == []
    _due_now(app)
    with app.app_context():
        assert send_due_digests(app) == 0


def test_bulk_approve_looks_up_subscriptions_once(app, client, article):
    parent = _subscribed_ada(app, client)
    post(client, notify_article="y", email="fan@example.org", author="Fan")
    _confirm(app, "fan@example.org")
    for name in ("cy", "di", "eve"):
        _reply(client, parent, f"{name}@example.org", author=name.title())
    with app.app_context():
        pending = list(
            db.session.scalars(
                select(Comment.id).where(Comment.status == CommentStatus.PENDING)
            )
        )
    assert len(pending) >= 3
    moderator, _ = staff_client(app, Role.MODERATOR, display_name="Mo")
    with sqlcount.count_statements(app) as log:
        response = moderator.post(
            "/staff/comments/bulk",
            data={"action": "approve", "ids": [str(i) for i in pending]},
        )
    assert response.status_code == 303
    looked_up = [s for s in log if "FROM subscriptions JOIN reader_addresses" in s]
    assert len(looked_up) == 1
    # Ada and the article's follower each get one mail (later ones wait).
    assert len(outbox(app, ADA)) == 2
    assert len([m for m in outbox(app) if m.to_addrs == "fan@example.org"]) == 2


def test_note_of_nothing_approved_queries_nothing(app):
    with app.app_context(), sqlcount.count_statements(app) as log:
        assert notices.note([]) == 0
    assert log == []
