"""Your comments: mailed single-use links, the reader session, the list, edits and deletes."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy import update

from blueprints.readers import links
from models import Article
from models import Comment
from models import CommentRevision
from models import CommentStatus
from models import OutboxMail
from models import ReaderLink
from models import db
from models import utcnow
from tests.support.factories import make_article
from tests.support.factories import make_comment

LINK = re.compile(r"https?://[^/\s]+(/your-comments/link/\S+)")


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        make_comment(a, body="Ada's first words.", author_email="ada@example.org")
        make_comment(a, body="Bob's words.", author_email="bob@example.org")
        return a.id


def mails(app) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def ask(client, email="ada@example.org", **kw):
    return client.post("/your-comments", data={"email": email}, **kw)


def link_path(app) -> str:
    """The path of the newest mailed link."""
    match = LINK.search(mails(app)[-1].body)
    assert match, mails(app)[-1].body
    return match.group(1)


def sign_in(client, app, email="ada@example.org") -> None:
    """Ask for a link, open it and press the button: a reader session."""
    assert ask(client, email).status_code == 303
    response = client.post(link_path(app))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/your-comments/mine")


def comment_of(app, email: str) -> Comment:
    with app.app_context():
        return db.session.scalars(
            select(Comment).where(Comment.author_email == email)
        ).first()


def test_start_page_has_the_form(client):
    response = client.get("/your-comments")
    assert response.status_code == 200
    assert 'name="email"' in response.get_data(as_text=True)


def test_request_answers_the_same_for_any_address(app, client, article):
    known = ask(client, "ada@example.org")
    unknown = ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    sent = client.get(known.headers["Location"]).get_data(as_text=True)
    assert "If that address has comments here, we sent it a link" in sent


def test_request_with_htmx_answers_the_fragment(client, article, htmx_headers):
    response = ask(client, headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="reader-request"')
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    "email",
    ["", "not-an-address", "ada@example.org\r\nBcc: victim@example.org", "a@b\nc"],
)
def test_bad_addresses_are_refused_and_nothing_is_mailed(app, client, email):
    response = ask(client, email)
    assert response.status_code == 422
    assert "Enter" in response.get_data(as_text=True)
    assert mails(app) == []


def test_at_most_three_links_a_day_per_address_silently(app, client, article):
    for _ in range(5):
        assert ask(client, "Ada@Example.org").status_code == 303
    assert len(mails(app)) == 3
    with app.app_context():
        hashes = set(db.session.scalars(select(ReaderLink.email_hash)))
    assert len(hashes) == 1
    assert "ada" not in next(iter(hashes))


def test_link_requests_are_rate_limited_per_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SPAM_MIN_SECONDS=0)
    client = app.test_client()
    for n in range(5):
        assert ask(client, f"r{n}@example.org").status_code == 303
    response = ask(client, "r9@example.org")
    assert response.status_code == 429
    assert "too often" in response.get_data(as_text=True)


def test_link_get_changes_nothing_and_post_is_single_use(app, client, article):
    ask(client)
    path = link_path(app)
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ReaderLink.used_at)) is None
    assert client.post(path).status_code == 303
    again = app.test_client().post(path)
    assert again.status_code == 410
    assert "already used" in again.get_data(as_text=True)


def test_opened_link_sets_an_httponly_lax_cookie(app, client, article):
    ask(client)
    response = client.post(link_path(app))
    cookie = response.headers["Set-Cookie"]
    assert "folio_reader=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "ada@example.org" not in cookie


@pytest.mark.parametrize("how", ["forged", "tampered"])
def test_forged_and_tampered_links_are_refused(app, client, article, how):
    ask(client)
    path = link_path(app)
    bad = "/your-comments/link/abc.def.ghi" if how == "forged" else path[:-3] + "xyz"
    for method in (client.get, client.post):
        response = method(bad)
        assert response.status_code == 400
        assert "not valid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ReaderLink.used_at)) is None


class _OldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 2 * 3600


def test_expired_links_are_refused(app, client, article):
    ask(client)
    with app.app_context():
        nonce = db.session.scalar(select(ReaderLink.nonce))
    old = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=links.SALT, signer=_OldSigner
    ).dumps(nonce)
    response = client.post(f"/your-comments/link/{old}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_link_of_an_unknown_nonce_is_refused(app, client, article):
    ask(client)
    path = link_path(app)
    with app.app_context():
        db.session.execute(update(ReaderLink).values(nonce="someone-else"))
        db.session.commit()
    assert client.post(path).status_code == 400


def test_list_needs_a_session(client, article):
    response = client.get("/your-comments/mine")
    assert response.status_code == 403
    assert "Ask for a new link" in response.get_data(as_text=True)


def test_list_shows_only_own_comments_with_states(app, client, article):
    with app.app_context():
        a = db.session.get(Article, article)
        make_comment(
            a,
            body="Held words.",
            author_email="ada@example.org",
            status=CommentStatus.PENDING,
        )
        make_comment(
            a,
            body="Binned words.",
            author_email="ada@example.org",
            status=CommentStatus.TRASH,
        )
    sign_in(client, app)
    html = client.get("/your-comments/mine").get_data(as_text=True)
    assert (
        "Ada&#39;s first words." in html
        or "Ada’s first words." in html
        or "Ada's" in html
    )
    assert "Bob's words." not in html and "Bob&#39;s words." not in html
    assert "Published" in html and "Awaiting moderation" in html and "Removed" in html
    assert "Hello comments" in html


def test_list_makes_the_same_queries_for_many_comments(app, client, article):
    from storage import sqlcount

    sign_in(client, app)
    with sqlcount.count_statements(app) as few:
        client.get("/your-comments/mine")
    with app.app_context():
        a = db.session.get(Article, article)
        for n in range(6):
            make_comment(a, body=f"More {n}.", author_email="ada@example.org")
    with sqlcount.count_statements(app) as many:
        client.get("/your-comments/mine")
    assert len(many) == len(few)


def test_edit_keeps_the_old_text_and_bumps_the_list_version(app, client, article):
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    with app.app_context():
        version = db.session.get(Article, article).comments_version
    form = client.get(f"/your-comments/{comment.id}/edit")
    assert form.status_code == 200
    response = client.post(f"/your-comments/{comment.id}/edit", data={"body": "Fixed."})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(Comment, comment.id)
        assert stored.body == "Fixed."
        assert stored.edited_at is not None
        assert stored.status == CommentStatus.APPROVED
        revision = db.session.scalars(select(CommentRevision)).one()
        assert (revision.body, revision.editor_id) == ("Ada's first words.", None)
        assert db.session.get(Article, article).comments_version > version
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "Fixed." in page and ">edited</time>" in page


def test_edit_with_htmx_answers_the_list_item(app, client, article, htmx_headers):
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    url = f"/your-comments/{comment.id}/edit"
    form = client.get(url, headers=htmx_headers).get_data(as_text=True)
    assert form.lstrip().startswith(f'<li id="your-comment-{comment.id}"')
    saved = client.post(url, data={"body": "Fixed."}, headers=htmx_headers)
    assert saved.status_code == 200
    assert (
        saved.get_data(as_text=True)
        .lstrip()
        .startswith(f'<li id="your-comment-{comment.id}"')
    )


def test_empty_edit_is_refused(app, client, article):
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    response = client.post(f"/your-comments/{comment.id}/edit", data={"body": " "})
    assert response.status_code == 422
    assert comment_of(app, "ada@example.org").body == "Ada's first words."


def test_edit_that_adds_links_goes_back_to_moderation(app, client, article):
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    body = "See https://a.example and https://b.example and https://c.example"
    client.post(f"/your-comments/{comment.id}/edit", data={"body": body})
    with app.app_context():
        stored = db.session.get(Comment, comment.id)
        assert stored.status == CommentStatus.PENDING
        assert "links" in stored.status_reason
        assert db.session.get(Article, article).comment_count == 1
    # Held again: its author still sees it, marked; nobody else does.
    own = client.get("/articles/hello").get_data(as_text=True)
    assert "a.example" in own
    assert "Your comment is awaiting moderation." in own
    other = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "a.example" not in other


def test_edit_past_the_window_is_refused(app, client, article):
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    with app.app_context():
        db.session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(created_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()
    url = f"/your-comments/{comment.id}/edit"
    assert client.get(url).status_code == 403
    response = client.post(url, data={"body": "Too late."})
    assert response.status_code == 403
    assert "time to edit" in response.get_data(as_text=True)
    assert comment_of(app, "ada@example.org").body == "Ada's first words."


def test_a_session_cannot_touch_another_address(app, client, article):
    sign_in(client, app)
    bob = comment_of(app, "bob@example.org")
    assert client.get(f"/your-comments/{bob.id}/edit").status_code == 403
    assert (
        client.post(
            f"/your-comments/{bob.id}/edit", data={"body": "Hacked."}
        ).status_code
        == 403
    )
    assert client.post(f"/your-comments/{bob.id}/delete").status_code == 403
    assert comment_of(app, "bob@example.org").body == "Bob's words."


def test_delete_without_replies_removes_the_row(app, client, article):
    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    assert client.post(f"/your-comments/{comment.id}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(Comment, comment.id) is None
        assert db.session.get(Article, article).comment_count == 1


def test_delete_with_replies_keeps_the_thread(app, client, article):
    with app.app_context():
        ada = db.session.scalars(
            select(Comment).where(Comment.author_email == "ada@example.org")
        ).one()
        make_comment(ada.article, body="A reply to Ada.", parent=ada)
        ada_id = ada.id
    sign_in(client, app)
    client.post(f"/your-comments/{ada_id}/delete")
    with app.app_context():
        kept = db.session.get(Comment, ada_id)
        assert kept.removed_at is not None
        assert (kept.body, kept.author_name, kept.author_url) == ("", "", "")
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "Deleted by its author" in page
    assert "A reply to Ada." in page
    assert "first words" not in page
    assert f"replytocom={ada_id}" not in page


def test_posting_lets_the_same_browser_edit_inline(app, client, article, htmx_headers):
    from tests.test_comments import post

    response = post(client, comment="A typo here.", headers=htmx_headers)
    html = response.get_data(as_text=True)
    new = db_last(app)
    assert f"/your-comments/{new.id}/edit?on=article" in html
    assert "folio_recent=" in response.headers.get("Set-Cookie", "") or any(
        "folio_recent=" in v for v in response.headers.getlist("Set-Cookie")
    )
    url = f"/your-comments/{new.id}/edit?on=article"
    form = client.get(url, headers=htmx_headers).get_data(as_text=True)
    # Only the card is swapped, so the comment's replies stay.
    assert form.lstrip().startswith(f'<div id="comment-card-{new.id}"')
    saved = client.post(url, data={"body": "No typo here."}, headers=htmx_headers)
    assert saved.status_code == 200
    assert "No typo here." in saved.get_data(as_text=True)
    # Another browser has no proof.
    assert app.test_client().get(url).status_code == 403


def test_the_page_cache_skips_a_visitor_who_may_edit(app, client, article):
    from tests.test_comments import post

    post(client, comment="Fresh comment.")
    page = client.get("/articles/hello")
    assert "Fresh comment." in page.get_data(as_text=True)
    # The cached article HTML holds no per-visitor Edit button.
    other = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "/your-comments/" not in other.replace('href="/your-comments"', "")


def db_last(app) -> Comment:
    with app.app_context():
        return db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()


def test_csrf_is_required_on_link_use(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, SPAM_MIN_SECONDS=0)
    client = app.test_client()
    assert (
        client.post("/your-comments", data={"email": "a@example.org"}).status_code
        == 400
    )


def test_export_downloads_everything_stored(app, client, article):
    from models import ReaderAddress
    from models import Subscription
    from models import SubscriptionKind

    with app.app_context():
        ada = comment_of(app, "ada@example.org")
        address = ReaderAddress(email="ada@example.org")
        db.session.add(address)
        db.session.flush()
        db.session.add(
            Subscription(
                address_id=address.id,
                kind=SubscriptionKind(list(SubscriptionKind)[0]),
                article_id=article,
                comment_id=ada.id,
            )
        )
        db.session.add(CommentRevision(comment_id=ada.id, body="Older words."))
        db.session.commit()
    sign_in(client, app)
    response = client.get("/your-comments/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert [c["body"] for c in data["comments"]] == ["Ada's first words."]
    assert {"ip", "user_agent", "status", "created_at"} <= set(data["comments"][0])
    assert [r["body"] for r in data["revisions"]] == ["Older words."]
    assert data["reader_address"]["email"] == "ada@example.org"
    assert len(data["subscriptions"]) == 1
    assert data["reader_links"] == 1
    assert data["mails"] == 1


def test_export_needs_a_session(client, article):
    assert client.get("/your-comments/export.json").status_code == 403


def test_erase_asks_first_then_erases_and_audits_without_the_address(
    app, client, article
):
    from models import AuditAction
    from models import AuditEvent

    with app.app_context():
        a = db.session.get(Article, article)
        ada = db.session.scalars(
            select(Comment).where(Comment.author_email == "ada@example.org")
        ).one()
        make_comment(a, body="A reply to Ada.", parent=ada)
        make_comment(a, body="Ada again, unanswered.", author_email="ada@example.org")
        db.session.add(CommentRevision(comment_id=ada.id, body="Older words."))
        db.session.commit()
        ada_id = ada.id
    sign_in(client, app)
    confirm = client.get("/your-comments/erase")
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.get_data(as_text=True)
    response = client.post("/your-comments/erase")
    assert response.status_code == 303
    assert "folio_reader=;" in response.headers["Set-Cookie"]
    with app.app_context():
        left = db.session.scalars(
            select(Comment).where(Comment.author_email == "ada@example.org")
        ).all()
        assert left == []
        kept = db.session.get(Comment, ada_id)
        assert (kept.author_name, kept.author_email, kept.body, kept.ip) == (
            "Anonymous",
            "",
            "",
            "",
        )
        assert db.session.scalars(select(CommentRevision)).all() == []
        assert db.session.scalars(select(ReaderLink)).all() == []
        assert db.session.scalars(select(OutboxMail)).all() == []
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.READER_ERASED)
        ).one()
        assert event.actor_label == "a reader"
        assert "ada" not in event.detail and "words" not in event.detail
        assert "1 comments deleted, 1 anonymised" in event.detail
        assert db.session.get(Article, article).comment_count == 3
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "A reply to Ada." in page and "Deleted by its author" in page
    assert client.get("/your-comments/mine").status_code == 403


def test_reader_pages_are_valid_html(app, client, article, htmx_headers):
    from tests.test_html_valid import problems

    sign_in(client, app)
    comment = comment_of(app, "ada@example.org")
    pages = [
        "/your-comments/mine",
        f"/your-comments/{comment.id}/edit",
        f"/your-comments/{comment.id}/edit?on=article",
        "/your-comments/erase",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert problems(response.get_data(as_text=True)) == [], path
    ask(client)
    opened = client.get(link_path(app))
    assert problems(opened.get_data(as_text=True)) == []


def test_the_audit_log_names_the_erasure(app, client, article):
    from models import Role
    from tests.support.staff_support import staff_client

    sign_in(client, app)
    client.post("/your-comments/erase")
    admin, _ = staff_client(app, Role.ADMIN)
    html = admin.get("/staff/audit").get_data(as_text=True)
    assert "A reader erased their data" in html
    assert "ada@example.org" not in html


def test_link_use_needs_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, SPAM_MIN_SECONDS=0)
    with app.app_context():
        token = links.issue("ada@example.org")
        db.session.commit()
    client = app.test_client()
    assert client.get(f"/your-comments/link/{token}").status_code == 200
    assert client.post(f"/your-comments/link/{token}").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ReaderLink.used_at)) is None


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM])
def test_an_edit_never_approves_or_unspams(app, client, article, status):
    with app.app_context():
        comment = comment_of(app, "ada@example.org")
        db.session.execute(
            update(Comment).where(Comment.id == comment.id).values(status=status)
        )
        db.session.commit()
    sign_in(client, app)
    client.post(f"/your-comments/{comment.id}/edit", data={"body": "Harmless now."})
    with app.app_context():
        stored = db.session.get(Comment, comment.id)
        assert (stored.body, stored.status) == ("Harmless now.", status)


def test_a_trashed_comment_cannot_be_edited(app, client, article):
    comment = comment_of(app, "ada@example.org")
    with app.app_context():
        db.session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(status=CommentStatus.TRASH)
        )
        db.session.commit()
    sign_in(client, app)
    response = client.post(f"/your-comments/{comment.id}/edit", data={"body": "Hi."})
    assert response.status_code == 403


def test_sign_out_ends_the_session(app, client, article):
    sign_in(client, app)
    response = client.post("/your-comments/sign-out")
    assert response.status_code == 303
    assert client.get("/your-comments/mine").status_code == 403


def test_the_mailed_link_carries_no_address(app, client, article):
    ask(client)
    token = link_path(app).rsplit("/", 1)[-1]
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"ada" not in decoded and "ada" not in token
    client.post(link_path(app))
    with app.app_context():
        assert db.session.scalar(select(ReaderLink.email)) == ""
