"""The moderation queue: tabs, counts, transitions, replies, deletes, bulk, search."""

import pytest
from sqlalchemy import select

from models import Article
from models import Comment
from models import CommentStatus
from models import Role
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client

P, AP, S, T = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)


@pytest.fixture
def moderator(app):
    client, _ = staff_client(app, Role.MODERATOR, display_name="Mo")
    return client


def one(app, status=P, **kw):
    with app.app_context():
        article = make_article(title="The article", slug="the-article")
        comment = make_comment(article, status=status, **kw)
        return comment.id, article.id


def state(app, comment_id, article_id):
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        article = db.session.get(Article, article_id)
        return (
            comment.status if comment else None,
            comment.status_reason if comment else None,
            article.comment_count,
            article.comments_version,
        )


def test_queue_lists_pending_with_details(app, moderator):
    one(
        app,
        author_name="Ann",
        author_email="ann@example.org",
        author_url="https://ann.example",
        ip="abcdef0123456789",
        status_reason="first comment from this author",
        body="Hold me",
    )
    page = moderator.get("/staff/comments").data.decode()
    for text in (
        "Ann",
        "ann@example.org",
        "https://ann.example",
        "abcdef012345",
        "first comment from this author",
        "Hold me",
        "The article",
        'id="count-pending">1<',
    ):
        assert text in page


def test_queue_fragment_for_htmx(moderator, htmx_headers):
    response = moderator.get("/staff/comments?tab=spam", headers=htmx_headers)
    assert response.data.lstrip().startswith(b'<div id="moderation-queue">')
    assert "HX-Request" in response.headers["Vary"]
    assert b"<html" in moderator.get("/staff/comments").data


@pytest.mark.parametrize(
    ("start", "action", "end", "visible"),
    [
        (P, "approve", AP, 1),
        (AP, "unapprove", P, 0),
        (P, "spam", S, 0),
        (AP, "spam", S, 0),
        (S, "not_spam", AP, 1),
        (P, "trash", T, 0),
        (AP, "trash", T, 0),
        (S, "trash", T, 0),
        (T, "restore", P, 0),
    ],
)
def test_transition(app, moderator, start, action, end, visible):
    comment_id, article_id = one(app, status=start)
    before = state(app, comment_id, article_id)
    response = moderator.post(
        f"/staff/comments/{comment_id}/{action}",
        data={"next": "/staff/comments?tab=spam"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/comments?tab=spam"
    status, reason, count, version = state(app, comment_id, article_id)
    assert status == end
    assert "by Mo" in reason
    # The public page's comment section reads these: the count of approved
    # comments and the version its cached list is keyed on.
    assert count == visible
    assert version > before[3]


@pytest.mark.parametrize(
    ("start", "action"),
    [(AP, "approve"), (P, "unapprove"), (P, "not_spam"), (P, "restore"), (T, "trash")],
)
def test_transition_that_does_not_apply(app, moderator, htmx_headers, start, action):
    comment_id, article_id = one(app, status=start)
    response = moderator.post(
        f"/staff/comments/{comment_id}/{action}", headers=htmx_headers
    )
    assert response.status_code == 409
    assert b"does not apply" in response.data
    assert state(app, comment_id, article_id)[0] == start


def test_unknown_action_and_comment(app, moderator):
    comment_id, _ = one(app)
    assert moderator.post(f"/staff/comments/{comment_id}/explode").status_code == 404
    assert moderator.post("/staff/comments/999/approve").status_code == 404


def test_htmx_action_swaps_row_and_counts(app, moderator, htmx_headers):
    comment_id, _ = one(app)
    response = moderator.post(
        f"/staff/comments/{comment_id}/approve",
        data={"next": "/staff/comments?tab=pending"},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    body = response.data.decode()
    assert body.lstrip().startswith(f'<li id="comment-row-{comment_id}"')
    assert '<nav id="queue-tabs"' in body and 'hx-swap-oob="true"' in body
    assert 'id="count-pending">0<' in body and 'id="count-approved">1<' in body
    assert 'aria-current="page">Pending' in body
    assert 'id="queue-status"' in body and "approved" in body
    assert "HX-Request" in response.headers["Vary"]


def test_approved_comment_reaches_public_page(app, moderator):
    comment_id, article_id = one(app, body="Visible after approval")
    moderator.post(f"/staff/comments/{comment_id}/approve")
    with app.app_context():
        article = db.session.get(Article, article_id)
        approved = db.session.scalars(
            select(Comment).where(
                Comment.article_id == article_id, Comment.status == AP
            )
        ).all()
        assert article.comment_count == 1
        assert [c.body for c in approved] == ["Visible after approval"]
    public = app.test_client().get("/articles/the-article")
    assert public.status_code == 200
    assert b"Visible after approval" in public.data


@pytest.mark.parametrize("status", [S, T])
def test_delete_permanently_from_spam_or_trash(app, moderator, htmx_headers, status):
    comment_id, article_id = one(app, status=status)
    confirm = moderator.get(f"/staff/comments/{comment_id}/delete")
    assert confirm.status_code == 200 and b"cannot be undone" in confirm.data
    fragment = moderator.get(
        f"/staff/comments/{comment_id}/delete", headers=htmx_headers
    )
    assert fragment.data.lstrip().startswith(
        f'<li id="comment-row-{comment_id}"'.encode()
    )
    response = moderator.post(
        f"/staff/comments/{comment_id}/delete", headers=htmx_headers
    )
    assert response.status_code == 200
    assert not response.data.lstrip().startswith(b"<li")
    assert b"deleted permanently" in response.data
    with app.app_context():
        assert db.session.get(Comment, comment_id) is None


@pytest.mark.parametrize("status", [P, AP])
def test_delete_refused_outside_spam_and_trash(app, moderator, status):
    comment_id, _ = one(app, status=status)
    assert moderator.get(f"/staff/comments/{comment_id}/delete").status_code == 400
    response = moderator.post(f"/staff/comments/{comment_id}/delete")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Comment, comment_id) is not None


def test_staff_reply(app, moderator, htmx_headers):
    comment_id, article_id = one(app, status=AP)
    form = moderator.get(f"/staff/comments/{comment_id}/reply", headers=htmx_headers)
    assert f'name="reply-{comment_id}-body"'.encode() in form.data
    response = moderator.post(
        f"/staff/comments/{comment_id}/reply",
        data={f"reply-{comment_id}-body": "Thanks from the team"},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    assert b"reply to" in response.data
    with app.app_context():
        reply = db.session.scalar(
            select(Comment).where(Comment.parent_id == comment_id)
        )
        assert reply.status == AP
        assert reply.staff_author_id is not None
        assert reply.author_name == "Mo"
        assert reply.depth == 1
        assert db.session.get(Article, article_id).comment_count == 2


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001])
def test_staff_reply_rejects(app, moderator, htmx_headers, body):
    comment_id, _ = one(app, status=AP)
    response = moderator.post(
        f"/staff/comments/{comment_id}/reply",
        data={f"reply-{comment_id}-body": body},
        headers=htmx_headers,
    )
    assert response.status_code == 422
    assert response.data.lstrip().startswith(
        f'<li id="comment-row-{comment_id}"'.encode()
    )
    plain = moderator.post(
        f"/staff/comments/{comment_id}/reply", data={f"reply-{comment_id}-body": body}
    )
    assert plain.status_code == 422 and b"<html" in plain.data


def test_bulk_approve(app, moderator, htmx_headers):
    with app.app_context():
        article = make_article()
        ids = [make_comment(article, status=P).id for _ in range(3)]
        keep = make_comment(article, status=P).id
        article_id = article.id
    response = moderator.post(
        "/staff/comments/bulk",
        data={"action": "approve", "ids": ids, "tab": "pending"},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    assert b"Approve: 3 of 3" in response.data
    assert response.data.lstrip().startswith(b'<div id="moderation-queue">')
    with app.app_context():
        assert {db.session.get(Comment, i).status for i in ids} == {AP}
        assert db.session.get(Comment, keep).status == P
        assert db.session.get(Article, article_id).comment_count == 3


def test_bulk_delete_needs_confirmation(app, moderator):
    with app.app_context():
        article = make_article()
        spam = make_comment(article, status=S).id
        pending = make_comment(article, status=P).id
    ask = moderator.post(
        "/staff/comments/bulk", data={"action": "delete", "ids": [spam, pending]}
    )
    assert ask.status_code == 200 and b"Delete 1 comment permanently" in ask.data
    with app.app_context():
        assert db.session.get(Comment, spam) is not None
    done = moderator.post(
        "/staff/comments/bulk",
        data={"action": "delete", "ids": [spam, pending], "confirm": "yes"},
    )
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(Comment, spam) is None
        assert db.session.get(Comment, pending) is not None


@pytest.mark.parametrize(
    "data", [{"action": "explode", "ids": "1"}, {"action": "approve", "ids": "abc"}]
)
def test_bulk_bad_input(moderator, data):
    assert moderator.post("/staff/comments/bulk", data=data).status_code == 400


@pytest.mark.parametrize(
    ("q", "hit"),
    [
        ("Zed", True),
        ("zed@example", True),
        ("needle", True),
        ("Haystack", True),
        ("nothing", False),
        # LIKE wildcards are searched for literally.
        ("%", False),
        ("_", False),
        ("a%20n_edle", False),
    ],
)
def test_search(app, moderator, q, hit):
    with app.app_context():
        article = make_article(title="Haystack article")
        make_comment(
            article,
            status=P,
            author_name="Zed",
            author_email="zed@example.org",
            body="a needle",
        )
    page = moderator.get(f"/staff/comments?q={q}").data
    assert (b"a needle" in page) is hit


def test_pagination(app, moderator):
    with app.app_context():
        article = make_article()
        for n in range(25):
            make_comment(article, status=P, body=f"comment number {n:02d}")
    first = moderator.get("/staff/comments").data
    second = moderator.get("/staff/comments?page=2").data
    assert b"Page 1 of 2" in first and first.count(b'class="queue-row"') == 20
    assert second.count(b'class="queue-row"') == 5


def test_queue_has_no_n_plus_one(app, moderator):
    with app.app_context():
        make_comment(make_article(), status=P)
    moderator.get("/staff/comments")
    with sqlcount.count_statements(app) as few:
        moderator.get("/staff/comments")
    with app.app_context():
        for _ in range(6):
            make_comment(make_article(), status=P)
    with sqlcount.count_statements(app) as many:
        moderator.get("/staff/comments")
    assert len(many) == len(few)


def test_queue_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app, Role.MODERATOR)
    comment_id, _ = one(app)
    page = client.get("/staff/comments").data.decode()
    assert 'name="csrf_token"' in page
    assert client.post(f"/staff/comments/{comment_id}/approve").status_code == 400
