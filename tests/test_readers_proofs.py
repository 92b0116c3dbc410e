"""Your comments after review: what proves a browser wrote a comment, what erasing
reaches, and what the article page offers the author of a recent comment."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete
from sqlalchemy import select

from models import Article
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import OutboxMail
from models import Role
from models import db
from models import utcnow
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client
from tests.test_comments import post
from tests.test_readers import sign_in


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        make_comment(a, body="Ada's first words.", author_email="ada@example.org")
        return a.id


def newest(app) -> Comment:
    with app.app_context():
        return db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()


def reuse_id(app, article_id: int, comment_id: int, **kw) -> None:
    """Delete a comment and store someone else's later one under its id, as
    SQLite does with a deleted newest row's id."""
    with app.app_context():
        db.session.execute(delete(Comment).where(Comment.id == comment_id))
        db.session.commit()
        make_comment(
            db.session.get(Article, article_id),
            id=comment_id,
            author_email="bob@example.org",
            author_name="Bob",
            **kw,
        )


def signed(app, salt: str, value) -> str:
    with app.app_context():
        from itsdangerous import URLSafeTimedSerializer

        return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt).dumps(value)


def test_recent_cookie_cannot_edit_a_later_comment_with_the_same_id(
    app, client, article
):
    post(client, comment="Ann's comment.", email="ada@example.org")
    ann = newest(app)
    reuse_id(app, article, ann.id, body="Bob's comment.")
    url = f"/your-comments/{ann.id}/edit?on=article"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"body": "Hijacked."}).status_code == 403
    assert newest(app).body == "Bob's comment."


def test_old_recent_cookie_of_bare_ids_proves_nothing(app, client, article):
    post(client, comment="Ann's comment.", email="ada@example.org")
    ann = newest(app)
    assert client.get(f"/your-comments/{ann.id}/edit").status_code == 200
    client.set_cookie("folio_recent", signed(app, "folio.recent-comments", [ann.id]))
    assert client.get(f"/your-comments/{ann.id}/edit").status_code == 403


def test_held_cookie_never_shows_a_later_comment_with_the_same_id(app, client, article):
    post(client, comment="Ann held words.", email="new@example.org")
    ann = newest(app)
    assert ann.status == CommentStatus.PENDING
    assert "Ann held words." in client.get("/articles/hello").get_data(as_text=True)
    reuse_id(app, article, ann.id, body="Bob held words.", status=ann.status)
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "Bob held words." not in page
    client.set_cookie("folio_held", signed(app, "folio.held-comments", [ann.id]))
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "Bob held words." not in page


def test_erase_and_export_reach_the_staff_notices_about_the_comments(
    app, client, article
):
    ada = newest(app)
    with app.app_context():
        for sent_at in (None, utcnow()):
            db.session.add(
                OutboxMail(
                    to_addrs="staff@example.org",
                    subject="New comment",
                    body="Author: Ada <ada@example.org>\n\nAda's first words.",
                    comment_id=ada.id,
                    sent_at=sent_at,
                )
            )
        db.session.add(
            OutboxMail(to_addrs="staff@example.org", subject="Other", body="Other.")
        )
        db.session.commit()
    sign_in(client, app)
    # The two notices and the mailed link.
    assert client.get("/your-comments/export.json").get_json()["mails"] == 3
    client.post("/your-comments/erase")
    with app.app_context():
        left = db.session.scalars(select(OutboxMail)).all()
        assert [mail.subject for mail in left] == ["Other"]


def test_inline_edit_swaps_only_the_card_and_keeps_the_replies(
    app, client, article, htmx_headers
):
    post(client, comment="A typo here.", email="ada@example.org", headers=htmx_headers)
    mine = newest(app)
    with app.app_context():
        make_comment(db.session.get(Comment, mine.id).article, body="A reply.")
    created = post(
        client, comment="Another.", email="ada@example.org", headers=htmx_headers
    )
    assert 'hx-target="#comment-card-' in created.get_data(as_text=True)
    page = client.get("/articles/hello").get_data(as_text=True)
    assert f'id="comment-card-{mine.id}"' in page
    url = f"/your-comments/{mine.id}/edit?on=article"
    saved = client.post(url, data={"body": "No typo."}, headers=htmx_headers)
    html = saved.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div id="comment-card-{mine.id}"')
    assert "No typo." in html and 'class="children"' not in html
    assert "autofocus" in html


def test_plain_page_offers_the_edit_outside_the_cached_list(app, client, article):
    post(client, comment="Fresh words.", email="ada@example.org")
    mine = newest(app)
    page = client.get("/articles/hello").get_data(as_text=True)
    link = f'href="/your-comments/{mine.id}/edit?on=article"'
    assert "You can still edit your comment posted" in page and link in page
    other = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "You can still edit" not in other and link not in other
    # The cached list itself holds no Edit link: it lives in the visitor's box.
    listing = re.search(
        r'<div id="comment-list".*?</div>\s*<div id="comment-news"', page, re.S
    )
    assert listing and "/your-comments/" not in listing.group(0)


def test_no_edit_anywhere_when_editing_is_off(make_app, htmx_headers):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_EDIT_MINUTES=0)
    with app.app_context():
        a = make_article(slug="hello")
        make_comment(a, author_email="ada@example.org")
    client = app.test_client()
    created = post(client, email="ada@example.org", headers=htmx_headers)
    assert "/your-comments/" not in created.get_data(as_text=True)
    assert "folio_recent" not in str(created.headers.getlist("Set-Cookie"))
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "You can still edit" not in page


LINKS = "See https://a.example and https://b.example and https://c.example"


def test_edit_sent_back_to_moderation_says_so_and_keeps_it_shown(
    app, client, article, htmx_headers
):
    sign_in(client, app)
    ada = newest(app)
    answer = client.post(
        f"/your-comments/{ada.id}/edit", data={"body": LINKS}, headers=htmx_headers
    )
    assert "sent this comment back to moderation" in answer.get_data(as_text=True)
    assert "folio_held=" in str(answer.headers.getlist("Set-Cookie"))
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "a.example" in page and "awaiting moderation" in page


def test_plain_edit_sent_back_to_moderation_says_so_on_the_list(app, client, article):
    sign_in(client, app)
    ada = newest(app)
    answer = client.post(f"/your-comments/{ada.id}/edit", data={"body": LINKS})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/your-comments/mine?held={ada.id}")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "sent this comment back to moderation" in page


def test_article_edit_sent_back_answers_the_card_marked(
    app, client, article, htmx_headers
):
    sign_in(client, app)
    ada = newest(app)
    url = f"/your-comments/{ada.id}/edit?on=article"
    html = client.post(url, data={"body": LINKS}, headers=htmx_headers).get_data(
        as_text=True
    )
    assert html.lstrip().startswith(f'<div id="comment-card-{ada.id}"')
    assert "sent your comment back to moderation" in html


@pytest.mark.parametrize("what", ["removed", "pingback"])
def test_staff_cannot_edit_removed_comments_or_pingbacks(app, what):
    moderator, _ = staff_client(app, Role.MODERATOR, display_name="Mo")
    with app.app_context():
        a = make_article(slug="hello")
        kw = (
            {"removed_at": utcnow(), "body": ""}
            if what == "removed"
            else {"kind": CommentKind.PINGBACK}
        )
        comment_id = make_comment(a, **kw).id
    url = f"/staff/comments/{comment_id}/edit"
    assert moderator.get(url).status_code == 404
    data = {f"edit-{comment_id}-body": "Rewritten."}
    assert moderator.post(url, data=data).status_code == 404


def test_post_moves_the_poll_past_its_own_comment_only(app, client, article):
    headers = {"HX-Request": "true"}
    with app.app_context():
        # Someone else's, approved after this page was loaded (which showed 1).
        make_comment(db.session.get(Article, article), author_email="bob@example.org")
    response = post(client, email="ada@example.org", headers=headers, since="1")
    html = response.get_data(as_text=True)
    assert "/articles/hello/comments/new?since=2" in html
    assert 'data-since="2"' in html
    news = client.get("/articles/hello/comments/new?since=2", headers=headers)
    assert "1 new comment" in news.get_data(as_text=True)


def test_poll_after_deletions_announces_nothing(app, client, article):
    headers = {"HX-Request": "true"}
    response = client.get("/articles/hello/comments/new?since=1", headers=headers)
    assert response.get_data(as_text=True).strip() == ""
    with app.app_context():
        db.session.execute(delete(Comment))
        db.session.get(Article, article).refresh_comment_stats()
        db.session.commit()
    response = client.get("/articles/hello/comments/new?since=1", headers=headers)
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == ""


def test_sign_out_also_forgets_the_recent_comments(app, client, article):
    post(client, comment="Fresh.", email="ada@example.org")
    sign_in(client, app)
    response = client.post("/your-comments/sign-out")
    assert "folio_recent=;" in str(response.headers.getlist("Set-Cookie"))
