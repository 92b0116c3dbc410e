"""Pingbacks and trackbacks: not counted, listed apart (or hidden), no replies."""

from __future__ import annotations

import pytest

from models import Article
from models import CommentKind
from models import CommentStatus
from models import Role
from models import db
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client
from web.form_guard import form_timestamp
from web.site_settings import save
from web.site_settings import site_settings

LINKING_URL = "https://other.example/2019/a-post-about-yours/"


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


def _discussion(app, kinds=(CommentKind.PINGBACK, CommentKind.TRACKBACK), **kw):
    """An article with one reader's comment and one approved mention of each kind."""
    with app.app_context():
        article = make_article(title="Linked to", slug="hello", **kw)
        comment = make_comment(article, author_name="Ada Reader")
        mentions = [
            make_comment(
                article,
                body="[...] a post that links here [...]",
                kind=kind,
                author_name=f"Other Blog ({kind.value})",
                author_email="",
                author_url=LINKING_URL,
            ).id
            for kind in kinds
        ]
        return article.id, comment.id, mentions


def _count(app, article_id) -> int:
    with app.app_context():
        return db.session.get(Article, article_id).comment_count


def _set(app, **values) -> None:
    """Save settings as the settings page does, then reload this process."""
    with app.test_request_context():
        with write_transaction():
            save(values, None)
        site_settings().reload()


def test_approved_pingbacks_and_trackbacks_are_not_counted(app):
    article_id, _, _ = _discussion(app)
    assert _count(app, article_id) == 1
    html = app.test_client().get("/articles/hello").text
    assert '<span id="comment-count">1 comment</span>' in html


def test_approving_a_pingback_leaves_the_count(app):
    with app.app_context():
        article = make_article(slug="hello")
        pingback = make_comment(
            article, status=CommentStatus.PENDING, kind=CommentKind.PINGBACK
        )
        article_id, pingback_id = article.id, pingback.id
    client, _ = staff_client(app, Role.MODERATOR)
    response = client.post(f"/staff/comments/{pingback_id}/approve")
    assert response.status_code == 303
    assert _count(app, article_id) == 0


def test_article_page_lists_mentions_after_the_discussion(app):
    _, comment_id, mentions = _discussion(app)
    html = app.test_client().get("/articles/hello").text
    listing = html.split('id="comment-list"', 1)[1].split('id="new-comments"', 1)[0]
    discussion, after = listing.split("Mentions elsewhere", 1)
    assert f'id="comment-{comment_id}"' in discussion
    for mention_id in mentions:
        assert f'id="comment-{mention_id}"' not in discussion
        assert f'id="comment-{mention_id}" class="mention"' in after
        assert f"replytocom={mention_id}" not in html
    assert (
        f'<a href="{LINKING_URL}" rel="nofollow ugc noopener">'
        "<bdi>Other Blog (pingback)</bdi></a>"
    ) in after
    assert "Other Blog (trackback)" in after
    assert "a post that links here" not in html  # the excerpt is not shown
    assert f"replytocom={comment_id}" in html


def test_mentions_follow_the_last_page_of_comments(make_app):
    app = make_app(COMMENTS_PER_PAGE=1)
    article_id, _, _ = _discussion(app, kinds=(CommentKind.PINGBACK,))
    with app.app_context():
        make_comment(db.session.get(Article, article_id))
    client = app.test_client()
    assert "Mentions elsewhere" not in client.get("/articles/hello").text
    assert "Mentions elsewhere" in client.get("/articles/hello?cpage=2").text
    fragment = client.get("/articles/hello/comments?page=2").text
    assert "Mentions elsewhere" in fragment


def test_hidden_pingbacks_are_shown_nowhere(make_app):
    app = make_app(PINGBACKS="hidden")
    _, comment_id, mentions = _discussion(app)
    html = app.test_client().get("/articles/hello").text
    assert f'id="comment-{comment_id}"' in html
    assert "Mentions elsewhere" not in html and "Other Blog" not in html
    for mention_id in mentions:
        assert f'id="comment-{mention_id}"' not in html


def test_changing_the_setting_renders_the_list_again(app):
    _discussion(app)
    client = app.test_client()
    assert "Mentions elsewhere" in client.get("/articles/hello").text
    _set(app, PINGBACKS="hidden")
    assert "Mentions elsewhere" not in client.get("/articles/hello").text
    _set(app, PINGBACKS="separate")
    assert "Mentions elsewhere" in client.get("/articles/hello").text


def test_a_pingback_takes_no_replies(app):
    _, _, (pingback_id, _) = _discussion(app)
    client = app.test_client()
    url = f"/articles/hello/comments/form?replytocom={pingback_id}"
    assert client.get(url).status_code == 404
    html = client.get(f"/articles/hello?replytocom={pingback_id}").text
    assert f'type="hidden" value="{pingback_id}"' not in html
    with app.app_context():
        stamp = form_timestamp()
    response = client.post(
        "/articles/hello/comments",
        data={
            "rendered_at": stamp,
            "comment": "Replying to a pingback.",
            "author": "Ada Reader",
            "email": "ada@example.org",
            "parent_id": str(pingback_id),
        },
    )
    assert response.status_code == 422
    assert "no longer available" in response.text


def test_moderation_queue_labels_pingbacks_and_offers_no_reply(app):
    with app.app_context():
        article = make_article(slug="hello")
        ids = {
            kind: make_comment(
                article,
                status=CommentStatus.PENDING,
                kind=kind,
                author_name=f"From {kind.value}",
            ).id
            for kind in CommentKind
        }
    client, _ = staff_client(app, Role.MODERATOR)
    html = client.get("/staff/comments?tab=pending").text
    rows = {
        kind: html.split(f'id="comment-row-{comment_id}"', 1)[1].split("</li>", 1)[0]
        for kind, comment_id in ids.items()
    }
    assert '<span class="badge">Pingback</span>' in rows[CommentKind.PINGBACK]
    assert '<span class="badge">Trackback</span>' in rows[CommentKind.TRACKBACK]
    assert "Pingback" not in rows[CommentKind.COMMENT]
    assert "/reply" in rows[CommentKind.COMMENT]
    for kind in (CommentKind.PINGBACK, CommentKind.TRACKBACK):
        assert "/reply" not in rows[kind]
        reply = f"/staff/comments/{ids[kind]}/reply"
        assert client.get(reply).status_code == 404
        data = {f"reply-{ids[kind]}-body": "Thanks for the link."}
        assert client.post(reply, data=data).status_code == 404
