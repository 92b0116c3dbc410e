"""Reply notifications: the follow page, unsubscribing, and abuse of every link."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.subscriptions.tokens import confirm_token
from blueprints.subscriptions.tokens import unsubscribe_token
from mail import outbox as mail_outbox
from models import Article
from models import Comment
from models import OutboxMail
from models import ReaderAddress
from models import Subscription
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
from web.signing import Signer

ADA = "ada@example.org"
EVE = "eve@example.org"


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        make_comment(a, author_email=ADA, author_name="Ada Reader")
        make_comment(a, author_email="bob@example.org", author_name="Bob")
        return a.id


def _address(app, email: str) -> ReaderAddress | None:
    with app.app_context():
        found = db.session.scalar(
            select(ReaderAddress).where(ReaderAddress.email == email)
        )
        db.session.expunge_all()
    return found


def _confirmed(app) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(Subscription).where(Subscription.confirmed_at.is_not(None))
            ).all()
        )


def _count(app, model) -> int:
    with app.app_context():
        return len(db.session.scalars(select(model)).all())


def _confirmed_with_notice(app, client) -> OutboxMail:
    """Ada follows her comment's replies, confirms, Bob replies: the notice."""
    post(client, notify_replies="y")
    with app.app_context(), write_transaction():
        confirm_everything()
        parent = db.session.scalar(select(Comment.id).order_by(Comment.id.desc()))
    post(client, email="bob@example.org", author="Bob", parent_id=str(parent))
    return outbox(app, ADA)[-1]


def test_follow_page_and_plain_post(app, client, article):
    page = client.get("/articles/hello/follow")
    assert page.status_code == 200
    assert "Follow new comments" in page.get_data(as_text=True)
    response = client.post("/articles/hello/follow", data={"email": "Eve@Example.org"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/articles/hello/follow/sent")
    assert "Check your inbox" in client.get(response.headers["Location"]).text
    assert _address(app, EVE) is not None
    assert len(outbox(app, EVE)) == 1


def test_follow_htmx_answers_the_fragment(app, client, article, htmx_headers):
    response = client.post(
        "/articles/hello/follow", data={"email": EVE}, headers=htmx_headers
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="follow-form"')
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("email", ["", "not an address", "a" * 95 + "@x.org"])
def test_follow_bad_email_is_422(client, article, email):
    response = client.post("/articles/hello/follow", data={"email": email})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text


def test_follow_unknown_article_is_404(client, article):
    assert client.get("/articles/nope/follow").status_code == 404
    assert client.post("/articles/nope/follow", data={"email": EVE}).status_code == 404


def test_follow_same_answer_known_confirmed_or_new(app, client, article):
    first = client.post("/articles/hello/follow", data={"email": EVE})
    with app.app_context(), write_transaction():
        confirm_everything()
    second = client.post("/articles/hello/follow", data={"email": EVE})
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app, Subscription) == 1


def test_follow_needs_csrf(make_app, article):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/articles/hello/follow", data={"email": EVE})
    assert response.status_code == 400


def test_confirmation_flood_mails_once_a_day(app, client, article):
    for n in range(4):
        client.post("/articles/hello/follow", data={"email": EVE})
        post(client, email=EVE, author="Eve", comment=f"Eve {n}", notify_replies="y")
    assert len(outbox(app, EVE)) == 1
    with app.app_context(), write_transaction():
        address = db.session.scalar(select(ReaderAddress))
        address.confirmation_sent_at = utcnow() - timedelta(hours=25)
    client.post("/articles/hello/follow", data={"email": EVE})
    assert len(outbox(app, EVE)) == 2


def test_follow_is_rate_limited_per_client(make_app, article):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    answers = [
        client.post("/articles/hello/follow", data={"email": f"v{n}@example.org"})
        for n in range(6)
    ]
    assert [a.status_code for a in answers[:5]] == [303] * 5
    assert answers[5].status_code == 429
    assert "You are doing that too often" in answers[5].text
    assert len(outbox(app)) == 5


@pytest.mark.parametrize(
    "token",
    ["nonsense", "x" * 500, "eyJhIjoxLCJlIjoiYUBiLmMifQ.AAAAAA.forged-signature"],
)
def test_forged_links_are_refused(app, client, article, token):
    for path in (f"/subscriptions/confirm/{token}", f"/unsubscribe/{token}"):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert "This link is not valid" in client.get(f"/unsubscribe/{token}").text


def test_tampered_confirm_link_is_refused(app, client, article):
    post(client, notify_replies="y")
    path = link_path(outbox(app, ADA)[0].body)
    payload, stamp, signature = path.rsplit("/", 1)[1].split(".")
    tampered = f"/subscriptions/confirm/{payload[:-2]}AA.{stamp}.{signature}"
    assert client.post(tampered).status_code == 404
    assert _confirmed(app) == 0


def test_expired_confirm_link_is_410_and_changes_nothing(
    app, client, article, monkeypatch
):
    post(client, notify_replies="y")
    path = link_path(outbox(app, ADA)[0].body)
    later = int(time.time()) + 8 * 24 * 3600
    monkeypatch.setattr(Signer, "get_timestamp", lambda self: later)
    response = client.post(path)
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert _confirmed(app) == 0


def test_link_for_one_address_does_not_act_on_another(app, client, article):
    post(client, notify_replies="y")
    client.post("/articles/hello/follow", data={"email": EVE})
    ada, eve = _address(app, ADA), _address(app, EVE)
    with app.test_request_context():
        # A confirm token is not an unsubscribe token (different salts).
        crossed = confirm_token(ada, utcnow())
        # Signed by us, but naming Ada's id with Eve's stamp (and the reverse).
        ada.created_at, eve.created_at = eve.created_at, ada.created_at
        mixed = confirm_token(ada, utcnow())
        mixed_unsubscribe = unsubscribe_token(eve)
    assert client.post(f"/subscriptions/confirm/{mixed}").status_code == 404
    client.post(f"/unsubscribe/{mixed_unsubscribe}", data={"scope": "all"})
    assert client.post(f"/unsubscribe/{crossed}").status_code == 404
    assert _confirmed(app) == 0
    assert _count(app, Subscription) == 2


def test_unsubscribe_page_get_changes_nothing(app, client, article):
    notice = _confirmed_with_notice(app, client)
    path = link_path(notice.body, "unsubscribe")
    page = client.get(path)
    assert page.status_code == 200
    assert "Unsubscribe from this thread" in page.text
    assert "Unsubscribe from everything" in page.text
    assert ADA not in page.text
    assert _count(app, Subscription) == 1


def test_one_click_unsubscribe_without_csrf(make_app, article):
    app = make_app(SPAM_MIN_SECONDS=0, WTF_CSRF_ENABLED=True)
    # Set up with CSRF off, then check the mail provider's POST with it on.
    helper = make_app(SPAM_MIN_SECONDS=0)
    notice = _confirmed_with_notice(helper, helper.test_client())
    url = headers_of(notice)["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://localhost")
    provider = app.test_client()
    response = provider.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert _count(app, Subscription) == 0
    again = provider.post(path, data={"List-Unsubscribe": "One-Click"})
    assert "already unsubscribed" in again.text
    # Every other POST still needs the token.
    assert (
        provider.post("/articles/hello/follow", data={"email": EVE}).status_code == 400
    )


def test_no_later_mail_after_unsubscribing(app, client, article):
    notice = _confirmed_with_notice(app, client)
    client.post(link_path(notice.body, "unsubscribe"), data={"scope": "thread"})
    before = len(outbox(app, ADA))
    with app.app_context():
        parent = db.session.scalar(
            select(Comment.id).where(Comment.parent_id.is_not(None))
        )
    post(
        client,
        email="bob@example.org",
        author="Bob",
        comment="More.",
        parent_id=str(parent),
    )
    assert len(outbox(app, ADA)) == before


def test_unsubscribe_everything_link(app, client, article, htmx_headers):
    notice = _confirmed_with_notice(app, client)
    client.post("/articles/hello/follow", data={"email": ADA})
    assert _count(app, Subscription) == 2
    path = link_path(notice.body, "unsubscribe", n=1)
    response = client.post(path, headers=htmx_headers)
    assert response.text.lstrip().startswith('<div id="unsubscribe-box"')
    assert "unsubscribed from everything" in response.text
    assert _count(app, Subscription) == 0


@pytest.mark.parametrize(
    "name",
    ["Mallory\r\nBcc: victim@example.org", "Mallory\nSubject: hi", "M\u2028X"],
)
def test_line_breaks_in_mailed_fields_add_no_header(app, client, article, name):
    with app.app_context(), write_transaction():
        db.session.get(Article, article).title = f"Title\r\nBcc: x@example.org {name}"
    post(client, notify_replies="y")
    with app.app_context(), write_transaction():
        confirm_everything()
        parent = db.session.scalar(select(Comment.id).order_by(Comment.id.desc()))
    post(client, email="bob@example.org", author=name, parent_id=str(parent))
    with app.app_context():
        mail = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()[-1]
        from mail.smtp import build_message

        message = build_message(mail, app.config)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert message["Bcc"] is None
    assert message["To"] == ADA
    assert "Mallory" in message.get_content() or "M X" in message.get_content()


def test_failing_smtp_keeps_the_notice_and_a_retry_sends_it_once(make_app, article):
    from tests.test_outbox import SMTPServer

    server = SMTPServer()  # not listening yet
    app = make_app(
        SPAM_MIN_SECONDS=0,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=server.port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=2,
        # Only this test sends: no background sender racing it.
        OUTBOX_WORKER=False,
    )
    notice = _confirmed_with_notice(app, app.test_client())
    assert mail_outbox.send_due(app).failed >= 1
    assert outbox(app, ADA)[-1].sent_at is None
    assert outbox(app, ADA)[-1].attempts == 1
    server.start()
    try:
        with app.app_context(), write_transaction():
            for row in db.session.scalars(select(OutboxMail)):
                row.next_attempt_at = utcnow()
        mail_outbox.send_due(app)
        mail_outbox.send_due(app)
        received = [m for m in server.messages if "New reply" in m["Subject"]]
        assert len(received) == 1
        assert received[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert notice.subject == received[0]["Subject"]
    finally:
        server.stop()


def test_staff_see_a_readers_subscriptions(app, client, article):
    from models import Role
    from tests.support.staff_support import staff_client

    post(client, notify_replies="y")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).order_by(Comment.id.desc()))
    staff, _ = staff_client(app, role=Role.MODERATOR)
    queue = staff.get("/staff/comments?tab=approved").text
    assert f"/staff/comments/{comment_id}/subscriptions" in queue
    page = staff.get(f"/staff/comments/{comment_id}/subscriptions")
    assert page.status_code == 200
    assert "Replies to comment #" in page.text and "Hello comments" in page.text
    assert "Not confirmed" in page.text and ADA in page.text
    assert client.get(f"/staff/comments/{comment_id}/subscriptions").status_code in (
        302,
        303,
        401,
        403,
    )


def test_staff_page_for_an_address_without_subscriptions(app, client, article):
    from models import Role
    from tests.support.staff_support import staff_client

    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    staff, _ = staff_client(app, role=Role.MODERATOR)
    page = staff.get(f"/staff/comments/{comment_id}/subscriptions")
    assert "asked for no email" in page.text
    assert staff.get("/staff/comments/99999/subscriptions").status_code == 404
