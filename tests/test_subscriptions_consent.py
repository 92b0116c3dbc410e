"""Consent per subscription: what a confirmation covers, races, links without emails."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from blueprints.subscriptions.consent import Wish
from blueprints.subscriptions.consent import _add
from blueprints.subscriptions.consent import _claim_mail
from blueprints.subscriptions.consent import _insert
from blueprints.subscriptions.consent import address_for
from blueprints.subscriptions.consent import answer
from blueprints.subscriptions.consent import record
from blueprints.subscriptions.tokens import unsubscribe_token
from models import Article
from models import ArticleKind
from models import CommentStatus
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from models import db
from models import utcnow
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.subscriptions import link_path
from tests.support.subscriptions import outbox
from tests.test_comments import post

# The moment the confirm page listed the wishes, in its hidden field.
SHOWN = re.compile(r'name="shown" type="hidden" value="(\d+)"')
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
        make_article(title="Second thoughts", slug="second")
        return a.id


def _follow(client, slug: str = "hello", email: str = EVE):
    return client.post(f"/articles/{slug}/follow", data={"email": email})


def _confirmed(app) -> dict[str, bool]:
    """Each subscription's article slug: confirmed or not."""
    with app.app_context():
        rows = db.session.execute(
            select(Article.slug, Subscription.confirmed_at).join(
                Article, Article.id == Subscription.article_id
            )
        )
        return {slug: confirmed is not None for slug, confirmed in rows}


def _a_day_later(app, email: str = EVE) -> None:
    with app.app_context(), write_transaction():
        db.session.execute(
            update(ReaderAddress)
            .where(ReaderAddress.email == email)
            .values(confirmation_sent_at=utcnow() - timedelta(hours=25))
        )


def test_unsubscribed_everything_then_a_new_wish_needs_consent_again(
    app, client, article
):
    assert _follow(client).status_code == 303
    client.post(link_path(outbox(app, EVE)[0].body))
    assert _confirmed(app) == {"hello": True}
    with app.app_context():
        address = db.session.scalar(select(ReaderAddress))
        token = unsubscribe_token(address)
    client.post(f"/unsubscribe/{token}", data={"scope": "all"})
    assert _confirmed(app) == {}
    # Anyone may type the (once confirmed) address again: it proves nothing.
    _follow(client, "second")
    assert _confirmed(app) == {"second": False}
    _a_day_later(app)
    _follow(client, "second")
    mail = outbox(app, EVE)[-1]
    assert "new comments on “Second thoughts”" in mail.body
    assert "Hello comments" not in mail.body


def test_a_link_confirms_what_its_page_listed(app, client, article):
    _follow(client, "hello")
    first = link_path(outbox(app, EVE)[0].body)
    # Within the day: it waits, and no second mail goes.
    assert _follow(client, "second").status_code == 303
    assert len(outbox(app, EVE)) == 1
    # The link proves the address; its page lists every wish waiting, the
    # later one too, and the button confirms what the page listed.
    page = client.get(first).text
    assert "Hello comments" in page and "Second thoughts" in page
    shown = SHOWN.search(page).group(1)
    client.post(first, data={"shown": shown})
    assert _confirmed(app) == {"hello": True, "second": True}


def test_a_wish_made_after_the_page_is_not_confirmed_by_it(app, client, article):
    _follow(client, "hello")
    first = link_path(outbox(app, EVE)[0].body)
    shown = SHOWN.search(client.get(first).text).group(1)
    _follow(client, "second")
    client.post(first, data={"shown": shown})
    assert _confirmed(app) == {"hello": True, "second": False}
    # The next wish after the day mails a confirmation for all that waits.
    _a_day_later(app)
    _follow(client, "second")
    [_, mail] = outbox(app, EVE)
    assert "Second thoughts" in mail.body and "Hello comments" not in mail.body


@pytest.mark.parametrize("shown", ["", "abc", "9" * 19, "-5"])
def test_an_odd_listing_moment_confirms_up_to_the_mail(app, client, article, shown):
    _follow(client, "hello")
    first = link_path(outbox(app, EVE)[0].body)
    _follow(client, "second")
    assert client.post(first, data={"shown": shown}).status_code == 200
    expected = {"hello": True, "second": shown == "9" * 19}
    assert _confirmed(app) == expected


def test_a_wish_already_confirmed_mails_nothing(app, client, article):
    _follow(client)
    client.post(link_path(outbox(app, EVE)[0].body))
    _a_day_later(app)
    _follow(client)
    assert len(outbox(app, EVE)) == 1


def test_the_mail_is_claimed_by_a_conditional_update(app, article):
    with app.app_context(), write_transaction():
        address = address_for(EVE)
        db.session.flush()
        assert _claim_mail(address) is True
        # Another worker's claim this ORM object has not seen: no second mail.
        set_committed_value(address, "confirmation_sent_at", None)
        assert _claim_mail(address) is False


def test_a_subscription_already_there_is_not_added_twice(app, article):
    wish = Wish(email=EVE, article_id=article, whole_article=True)
    with app.test_request_context(), write_transaction():
        address = address_for(EVE)
        db.session.flush()
        assert _add(address, SubscriptionKind.ARTICLE, wish) is True
        assert _add(address, SubscriptionKind.ARTICLE, wish) is False
        record(wish)
    with app.app_context():
        assert len(db.session.scalars(select(Subscription)).all()) == 1


def test_a_racing_duplicate_insert_is_already_there(app, article):
    """PostgreSQL: the row another worker stored first fails the unique index
    inside a SAVEPOINT, and the write goes on."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite has one writer: no race to lose")
    with app.app_context(), write_transaction():
        address = address_for(EVE)
        db.session.flush()
        first = Subscription(
            address_id=address.id, kind=SubscriptionKind.ARTICLE, article_id=article
        )
        assert _insert(first) is True
        twin = Subscription(
            address_id=address.id, kind=SubscriptionKind.ARTICLE, article_id=article
        )
        assert _insert(twin) is False
    with app.app_context():
        assert len(db.session.scalars(select(Subscription)).all()) == 1


def _payload(path: str) -> dict:
    data = path.rsplit("/", 1)[1].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def test_no_mailed_link_carries_the_email(app, client, article):
    post(client, notify_replies="y")
    body = outbox(app, ADA)[0].body
    payload = _payload(link_path(body))
    assert set(payload) == {"a", "c", "t"}
    assert ADA not in json.dumps(payload)


def test_a_reused_address_id_makes_old_links_worthless(app, client, article):
    _follow(client)
    confirm = link_path(outbox(app, EVE)[0].body)
    with app.app_context(), write_transaction():
        old = db.session.scalar(select(ReaderAddress))
        old_id = old.id
        unsubscribe = unsubscribe_token(old)
        db.session.delete(old)
    with app.app_context(), write_transaction():
        # The same id, later, for someone else.
        again = ReaderAddress(id=old_id, email=ADA, created_at=utcnow())
        db.session.add(again)
        db.session.flush()
        db.session.add(
            Subscription(
                address_id=old_id, kind=SubscriptionKind.ARTICLE, article_id=article
            )
        )
    assert client.get(confirm).status_code == 404
    assert client.post(confirm).status_code == 404
    client.post(f"/unsubscribe/{unsubscribe}", data={"scope": "all"})
    assert _confirmed(app) == {"hello": False}


def test_the_answer_is_the_same_for_any_address_and_reads_nothing():
    """No app, no database: nothing after the commit can fail a stored comment."""
    form = SimpleNamespace(
        notify_replies=SimpleNamespace(data=True),
        notify_article=SimpleNamespace(data=False),
        email=SimpleNamespace(data=ADA),
    )
    comment = SimpleNamespace(status=CommentStatus.APPROVED)
    said = answer(form, comment)
    assert "If this address has not confirmed this yet" in said
    assert "someone replies" in said


def test_comment_answer_same_for_new_and_confirmed(app, client, article, htmx_headers):
    new = post(client, headers=htmx_headers, notify_replies="y")
    with app.app_context(), write_transaction():
        db.session.execute(update(Subscription).values(confirmed_at=utcnow()))
        db.session.execute(update(ReaderAddress).values(confirmed_at=utcnow()))
    again = post(client, headers=htmx_headers, notify_replies="y", comment="More.")
    said = "If this address has not confirmed this yet"
    assert said in new.text and said in again.text


@pytest.mark.parametrize("how", ["closed", "page-without-comments", "too-old"])
def test_follow_refuses_where_comments_are_closed(make_app, how):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_CLOSE_AFTER_DAYS=30)
    with app.app_context():
        if how == "closed":
            make_article(slug="shut", comments_open=False)
        elif how == "page-without-comments":
            make_article(slug="shut", kind=ArticleKind.PAGE, comments_open=False)
        else:
            make_article(slug="shut", published_ago=timedelta(days=60))
    client = app.test_client()
    page = client.get("/articles/shut/follow")
    assert page.status_code == 404
    assert "Comments are closed here" in page.text
    assert _follow(client, "shut").status_code == 404
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalars(select(Subscription)).all() == []


def test_no_savepoint_on_sqlite(app, client, article):
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL needs the SAVEPOINT")
    savepoints = []

    def seen(conn, name):
        savepoints.append(name)

    event.listen(engine, "savepoint", seen)
    try:
        assert _follow(client).status_code == 303
        assert post(client, notify_replies="y", notify_article="y").status_code == 303
    finally:
        event.remove(engine, "savepoint", seen)
    assert savepoints == []
    assert len(outbox(app)) == 2
