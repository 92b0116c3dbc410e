"""Reader comments: posting, validation, spam and moderation rules, replies, pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.comments.forms import MAX_NAME
from blueprints.comments.forms import MAX_URL
from models import Article
from models import Comment
from models import CommentStatus
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_comment
from web.form_fields import COMMENT_MAX as MAX_COMMENT
from web.form_fields import READER_EMAIL_MAX as MAX_EMAIL
from web.form_guard import form_timestamp


def comment_data(**overrides) -> dict:
    """A valid comment post."""
    data = {
        "comment": "A fine article, thank you.",
        "author": "Ada Reader",
        "email": "ada@example.org",
        "url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        return a.id


def stamp(app) -> str:
    """A valid signed form timestamp, as the rendered form carries."""
    with app.app_context():
        return form_timestamp()


def post(client, slug="hello", headers=None, **overrides):
    data = {"rendered_at": stamp(client.application), **comment_data(**overrides)}
    return client.post(f"/articles/{slug}/comments", data=data, headers=headers)


def stored(app) -> list[Comment]:
    with app.app_context():
        return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def test_article_page_shows_form_and_empty_section(client, article):
    response = client.get("/articles/hello")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leave a comment" in html
    assert "No comments yet" in html
    assert "Your email address will not be published." in html
    assert 'name="homepage"' in html
    assert "Save my name, email, and website in this browser" in html


def test_first_comment_is_held_and_shown_only_to_its_author(app, client, article):
    response = post(client)
    assert response.status_code == 303
    [comment] = stored(app)
    assert comment.status == CommentStatus.PENDING
    assert comment.status_reason == "held: first comment from this email"
    assert response.headers["Location"].endswith(
        f"/articles/hello#comment-{comment.id}"
    )
    own = client.get("/articles/hello").get_data(as_text=True)
    assert "Your comment is awaiting moderation." in own
    assert "A fine article, thank you." in own
    other = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "A fine article, thank you." not in other
    assert "awaiting moderation" not in other


def approve_author(app, email="ada@example.org"):
    """Give an email a previously approved comment (on another article)."""
    with app.app_context():
        other = make_article(slug=f"other-{email.split('@')[0]}")
        make_comment(other, author_email=email, body="Earlier approved words.")


def test_returning_author_is_approved_and_seen_by_everyone(app, client, article):
    approve_author(app)
    response = post(client)
    assert response.status_code == 303
    comment = stored(app)[-1]
    assert comment.status == CommentStatus.APPROVED
    assert comment.status_reason == "approved: author previously approved"
    html = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in html
    assert "A fine article, thank you." in html
    assert "1 comment<" in html


def test_htmx_post_returns_fragment_with_out_of_band_updates(
    app, client, article, htmx_headers
):
    approve_author(app)
    response = post(client, headers=htmx_headers)
    html = response.get_data(as_text=True)
    comment = stored(app)[-1]
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["HX-Retarget"] == "#respond-home"
    assert "<html" not in html
    assert '<div hx-swap-oob="delete:#respond">' in html
    assert 'hx-swap-oob="beforeend:#new-comments"' in html
    assert f'<li id="comment-{comment.id}"' in html
    assert '<span id="comment-count" hx-swap-oob="true">1 comment</span>' in html
    assert "Your comment was posted." in html
    # The fresh form is empty and signed anew.
    assert 'name="comment" required rows="6">\r\n</textarea>' in html
    assert re.search(r'name="rendered_at" type="hidden" value="[^"]+"', html)


def test_htmx_held_post_says_awaiting_moderation_once_and_sets_cookie(
    app, client, article, htmx_headers
):
    response = post(client, headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert "Your comment is awaiting moderation." in html
    assert html.count("awaiting moderation") == 1
    assert "once it is approved" in html
    assert "folio_held=" in str(response.headers.getlist("Set-Cookie"))
    # The held comment is listed, so the heading does not say there are none.
    assert '<span id="comment-count" hx-swap-oob="true">Comments</span>' in html
    assert "No comments yet" not in html
    # Focus goes to the notice htmx inserts, not to <body>.
    assert re.search(
        r'<p class="comment-awaiting" tabindex="-1" autofocus>Your comment is', html
    )


def test_held_comment_is_not_under_no_comments_yet(app, client, article):
    assert post(client).status_code == 303
    html = client.get("/articles/hello").get_data(as_text=True)
    assert "Your comment is awaiting moderation." in html
    assert html.count("awaiting moderation") == 1
    assert "No comments yet" not in html
    assert '<span id="comment-count">Comments</span>' in html
    # Anyone else still sees an empty section.
    other = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "No comments yet" in other


def test_htmx_post_focuses_the_new_comment(app, client, article, htmx_headers):
    approve_author(app)
    html = post(client, headers=htmx_headers).get_data(as_text=True)
    comment = stored(app)[-1]
    assert (
        f'<li id="comment-{comment.id}" class="comment" tabindex="-1" autofocus>'
        in html
    )
    # Only the answer to the post carries it: the page's list does not.
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "autofocus" not in page


def test_fresh_form_after_htmx_post_keeps_what_the_reader_chose(
    app, client, article, htmx_headers
):
    html = post(
        client, headers=htmx_headers, remember="y", url="https://ada.example"
    ).get_data(as_text=True)
    form = html[html.index('id="respond"') :]
    assert 'value="Ada Reader"' in form
    assert 'value="ada@example.org"' in form
    assert 'value="https://ada.example"' in form
    assert re.search(r'<input [^>]*checked id="remember"', form)
    # Unticked this time: the fresh form forgets them, as the cookie does.
    html = post(
        client, headers=htmx_headers, comment="Another thought entirely."
    ).get_data(as_text=True)
    form = html[html.index('id="respond"') :]
    assert 'value="Ada Reader"' not in form
    assert "ada@example.org" not in form
    assert not re.search(r'<input [^>]*checked id="remember"', form)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comment", "", "Write a comment."),
        ("comment", "   \n  ", "Write a comment."),
        ("comment", "x", "Write at least 2 characters."),
        ("comment", "x" * (MAX_COMMENT + 1), "Keep the comment under 65,525"),
        ("author", "", "Enter your name."),
        ("author", "n" * (MAX_NAME + 1), "Use at most 245 characters."),
        ("email", "", "Enter your email address."),
        ("email", "not-an-email", "Enter a valid email address"),
        ("email", "a" * (MAX_EMAIL - 11) + "@example.org", "Use at most 100"),
        ("url", "javascript:alert(1)", "starting with http:// or https://"),
        ("url", "ftp://example.org/file", "starting with http:// or https://"),
        ("url", "example.org", "starting with http:// or https://"),
        ("url", "https://e.org/" + "p" * MAX_URL, "Use at most 200 characters."),
    ],
)
def test_post_field_errors(app, client, article, htmx_headers, field, value, message):
    response = post(client, headers=htmx_headers, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert html.lstrip().startswith('<div id="respond"')
    assert "HX-Request" in response.headers["Vary"]
    field_html = re.search(rf'<[a-z]+ [^>]*id="{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field_html
    assert "need" in html and 'hx-swap-oob="innerHTML:#comment-status"' in html
    assert stored(app) == []


def test_plain_post_with_errors_rerenders_whole_page(app, client, article):
    response = post(client, comment="", email="bad")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" in html and "Hello comments" in html
    assert "Write a comment." in html
    assert "Enter a valid email address" in html
    assert 'value="Ada Reader"' in html
    assert stored(app) == []


def test_min_length_is_configurable(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_MIN_LENGTH=20)
    with app.app_context():
        make_article(slug="hello")
    response = post(app.test_client(), comment="Too short here")
    assert response.status_code == 422
    assert "Write at least 20 characters." in response.get_data(as_text=True)


def test_honeypot_stores_spam_and_tells_the_author(app, client, article):
    response = post(client, homepage="http://spam.example")
    assert response.status_code == 303
    [comment] = stored(app)
    assert comment.status == CommentStatus.SPAM
    assert comment.status_reason == "spam: honeypot filled"
    assert "Your comment is awaiting moderation." in client.get(
        "/articles/hello"
    ).get_data(as_text=True)


def test_post_sooner_than_min_seconds_is_refused_with_message(make_app):
    app = make_app(SPAM_MIN_SECONDS=3)
    with app.app_context():
        make_article(slug="hello")
    response = post(app.test_client())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That was quick!" in html
    assert "A fine article, thank you." in html
    assert stored(app) == []


def old_stamp(app, hours: float) -> str:
    """A form timestamp signed as if the form had been rendered hours ago."""
    import time

    from itsdangerous import TimestampSigner

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - hours * 3600)

    return (
        PastSigner(app.config["SECRET_KEY"], salt="folio.form-rendered-at")
        .sign(b"form")
        .decode()
    )


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "could not be verified"),
        ("form.forged.signature", "could not be verified"),
        ("OLD", "has expired"),
    ],
)
def test_bad_or_old_form_timestamp_is_refused(app, client, article, token, message):
    if token == "OLD":
        token = old_stamp(app, hours=25)
    response = client.post(
        "/articles/hello/comments", data={"rendered_at": token, **comment_data()}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "A fine article, thank you." in html
    assert stored(app) == []


def test_form_a_few_hours_old_is_accepted(app, client, article):
    data = {"rendered_at": old_stamp(app, hours=2), **comment_data()}
    assert client.post("/articles/hello/comments", data=data).status_code == 303


def test_duplicate_comment_is_refused(app, client, article):
    assert post(client).status_code == 303
    response = post(client)
    assert response.status_code == 422
    assert "Duplicate comment detected" in response.get_data(as_text=True)
    assert len(stored(app)) == 1
    # The same words from someone else, or on another article, are fine.
    assert post(client, email="bea@example.org").status_code == 303


def test_two_links_hold_even_a_known_author(app, client, article):
    approve_author(app)
    post(client, comment="See https://a.example and www.b.example too")
    comment = stored(app)[-1]
    assert comment.status == CommentStatus.PENDING
    assert comment.status_reason == "held: 2 links"


def test_moderation_word_holds(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_MODERATION_WORDS=["casino"])
    with app.app_context():
        make_article(slug="hello")
    approve_author(app)
    post(app.test_client(), comment="Best Casino offers inside")
    comment = stored(app)[-1]
    assert comment.status == CommentStatus.PENDING
    assert comment.status_reason == "held: moderation word “casino”"


@pytest.mark.parametrize(
    ("entry", "overrides"),
    [
        ("viagra", {"comment": "cheap VIAGRA here"}),
        ("bad@spam.example", {"email": "bad@spam.example"}),
        ("spam.example", {"url": "https://spam.example/x"}),
        ("127.0.0.1", {}),
    ],
)
def test_blocklist_sends_to_spam(make_app, entry, overrides):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_BLOCKLIST=[entry])
    with app.app_context():
        make_article(slug="hello")
    response = post(app.test_client(), **overrides)
    assert response.status_code == 303
    [comment] = stored(app)
    assert comment.status == CommentStatus.SPAM
    assert comment.status_reason == f"spam: blocklist matched “{entry}”"


def test_previous_approval_rule_can_be_turned_off(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False)
    with app.app_context():
        make_article(slug="hello")
    post(app.test_client())
    [comment] = stored(app)
    assert comment.status == CommentStatus.APPROVED
    assert comment.status_reason == "approved: passed every rule"


def test_ip_is_hashed_and_user_agent_truncated(app, client, article):
    post(client, headers={"User-Agent": "B" * 400})
    [comment] = stored(app)
    assert comment.ip and "127.0.0.1" not in comment.ip
    assert len(comment.ip) == 32
    assert comment.user_agent == "B" * 255


def test_email_is_normalised(app, client, article):
    post(client, email="  Ada@Example.ORG ")
    assert stored(app)[0].author_email == "ada@example.org"


@pytest.mark.parametrize("hx", [False, True])
def test_rate_limit_answers_429_in_the_form(make_app, htmx_headers, hx):
    app = make_app(
        SPAM_MIN_SECONDS=0, RATELIMIT_ENABLED=True, COMMENTS_RATE_LIMIT="2 per minute"
    )
    with app.app_context():
        make_article(slug="hello")
    client = app.test_client()
    headers = htmx_headers if hx else None
    assert post(client, headers=headers, comment="One two").status_code in (200, 303)
    assert post(client, headers=headers, comment="Three four").status_code in (200, 303)
    response = post(client, headers=headers, comment="Five six seven")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "You are posting comments too quickly" in html
    assert "Five six seven" in html
    assert ("<html" in html) is not hx
    assert response.headers.get("Retry-After")
    assert len(stored(app)) == 2


def test_csrf_is_required(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_article(slug="hello")
    client = app.test_client()
    assert post(client).status_code == 400
    page = client.get("/articles/hello").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = post(client, csrf_token=token.group(1))
    assert response.status_code == 303
    assert len(stored(app)) == 1


def test_closed_article_shows_notice_and_refuses_posts(app, client, htmx_headers):
    with app.app_context():
        make_article(slug="hello", comments_open=False)
    page = client.get("/articles/hello").get_data(as_text=True)
    assert "Comments are closed." in page
    assert 'id="comment-form"' not in page
    response = post(client)
    assert response.status_code == 403
    assert "Comments are closed on this article" in response.get_data(as_text=True)
    response = post(client, headers=htmx_headers)
    assert response.status_code == 403
    assert response.get_data(as_text=True).lstrip().startswith('<div id="respond"')
    assert stored(app) == []


def test_comments_close_automatically_after_days(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_CLOSE_AFTER_DAYS=14)
    with app.app_context():
        old = make_article(slug="old", published_ago=timedelta(days=15))
        make_comment(old)
        make_article(slug="hello", published_ago=timedelta(days=13))
    client = app.test_client()
    old_page = client.get("/articles/old").get_data(as_text=True)
    assert "Comments are closed." in old_page
    assert "comment-reply" not in old_page
    assert post(client, slug="old").status_code == 403
    assert post(client, slug="hello").status_code == 303


def test_unknown_or_draft_article_is_404(app, client):
    with app.app_context():
        make_article(slug="draft", published_ago=None, status="draft")
    assert post(client, slug="nope").status_code == 404
    assert post(client, slug="draft").status_code == 404


def make_thread(app, depth: int, slug="hello") -> list[int]:
    """A chain of approved replies `depth` long; returns their ids, root first."""
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        parent = None
        ids = []
        for _ in range(depth):
            parent = make_comment(article, parent=parent)
            ids.append(parent.id)
        return ids


def test_reply_is_stored_under_its_parent_and_nested(app, client, article):
    [root] = make_thread(app, 1)
    approve_author(app)
    response = post(client, parent_id=str(root), comment="I agree with you.")
    assert response.status_code == 303
    reply = stored(app)[-1]
    assert (reply.parent_id, reply.depth) == (root, 1)
    html = app.test_client().get("/articles/hello").get_data(as_text=True)
    replies = html[html.index(f'id="replies-{root}"') :]
    assert f'id="comment-{reply.id}"' in replies.split("</ol>")[0]


def test_htmx_reply_is_inserted_under_parent(app, client, article, htmx_headers):
    [root] = make_thread(app, 1)
    approve_author(app)
    response = post(client, headers=htmx_headers, parent_id=str(root))
    assert f'hx-swap-oob="beforeend:#replies-{root}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["missing", "other-article", "pending", "junk"])
def test_reply_to_unavailable_comment_is_refused(app, client, article, kind):
    with app.app_context():
        other = make_article(slug="elsewhere")
        hello = db.session.get(Article, article)
        parent_id = {
            "missing": "999",
            "other-article": str(make_comment(other).id),
            "pending": str(make_comment(hello, status=CommentStatus.PENDING).id),
            "junk": "12abc",
        }[kind]
    before = len(stored(app))
    response = post(client, parent_id=parent_id)
    assert response.status_code == 422
    assert "no longer available" in response.get_data(as_text=True)
    assert len(stored(app)) == before


def test_reply_at_max_depth_attaches_to_parent(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_MAX_DEPTH=3)
    with app.app_context():
        make_article(slug="hello")
    ids = make_thread(app, 3)
    post(app.test_client(), parent_id=str(ids[-1]))
    reply = stored(app)[-1]
    assert reply.parent_id == ids[1]
    assert reply.depth == 2


def test_reply_form_fragment_and_page(app, client, article, htmx_headers):
    [root] = make_thread(app, 1)
    url = f"/articles/hello/comments/form?replytocom={root}"
    response = client.get(url, headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div hx-swap-oob="delete:#respond">')
    assert "<html" not in html
    assert "Reply to <bdi>Reader" in html
    assert "Cancel reply" in html
    assert f'name="parent_id" type="hidden" value="{root}"' in html
    assert "data-autofocus" in html
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Reply to <bdi>Reader" in page


def test_replytocom_without_javascript(app, client, article):
    [root] = make_thread(app, 1)
    html = client.get(f"/articles/hello?replytocom={root}").get_data(as_text=True)
    assert "Reply to <bdi>Reader" in html
    assert f'name="parent_id" type="hidden" value="{root}"' in html
    assert 'href="/articles/hello#respond"' in html
    for junk in ("abc", "99999", "-1"):
        html = client.get(f"/articles/hello?replytocom={junk}").get_data(as_text=True)
        assert "Leave a comment" in html


@pytest.mark.parametrize("replytocom", ["abc", "99999"])
def test_reply_form_for_unknown_comment_is_404(client, article, replytocom):
    url = f"/articles/hello/comments/form?replytocom={replytocom}"
    assert client.get(url).status_code == 404


def test_cancel_reply_form_is_the_top_level_form(client, article, htmx_headers):
    response = client.get("/articles/hello/comments/form", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert "Leave a comment" in html
    assert 'name="parent_id" type="hidden" value=""' in html


def make_top_level(app, n: int, slug="hello") -> list[int]:
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        return [make_comment(article, body=f"Comment number {i}.").id for i in range(n)]


def test_top_level_comments_are_paginated(make_app, htmx_headers):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_PER_PAGE=2)
    with app.app_context():
        make_article(slug="hello")
    ids = make_top_level(app, 5)
    with app.app_context():
        article = db.session.get(Comment, ids[0]).article
        reply_id = make_comment(article, parent=db.session.get(Comment, ids[0])).id
    client = app.test_client()
    page1 = client.get("/articles/hello").get_data(as_text=True)
    assert "6 comments" in page1
    assert f'id="comment-{ids[1]}"' in page1 and f'id="comment-{ids[2]}"' not in page1
    assert f'id="comment-{reply_id}"' in page1
    assert "Show more comments" in page1
    assert 'href="/articles/hello?cpage=2#comments"' in page1
    assert 'hx-get="/articles/hello/comments?page=2"' in page1

    more = client.get("/articles/hello/comments?page=2", headers=htmx_headers)
    html = more.get_data(as_text=True)
    assert more.status_code == 200 and "HX-Request" in more.headers["Vary"]
    assert html.lstrip().startswith('<div class="comment-page" id="comment-page-2">')
    assert f'id="comment-{ids[2]}"' in html and f'id="comment-{ids[0]}"' not in html
    assert 'hx-get="/articles/hello/comments?page=3"' in html

    plain = client.get("/articles/hello?cpage=3").get_data(as_text=True)
    assert f'id="comment-{ids[4]}"' in plain and f'id="comment-{ids[0]}"' not in plain
    assert "Earlier comments" in plain and "Show more comments" not in plain
    full = client.get("/articles/hello/comments?page=2").get_data(as_text=True)
    assert "<html" in full and f'id="comment-{ids[2]}"' in full
    assert client.get("/articles/hello/comments?page=4").status_code == 404


def test_body_is_escaped_and_split_into_paragraphs(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False)
    with app.app_context():
        make_article(slug="hello")
    body = "<script>alert(1)</script>\n\nSecond <b>para</b>\nline https://ok.example/x?a=1&b=2."
    post(app.test_client(), comment=body, url="https://ada.example")
    html = app.test_client().get("/articles/hello").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<p>Second &lt;b&gt;para&lt;/b&gt;<br>" in html
    assert (
        '<a href="https://ok.example/x?a=1&amp;b=2" rel="nofollow ugc noopener">'
        in html
    )
    assert (
        '<a href="https://ada.example" rel="nofollow ugc noopener"><bdi>Ada Reader</bdi></a>'
        in html
    )


def test_avatar_is_a_keyed_identicon(app, client, article):
    import hashlib

    with app.app_context():
        make_comment(db.session.get(Article, article), author_email="ada@example.org")
    html = client.get("/articles/hello").get_data(as_text=True)
    key = re.search(r'src="/avatars/([0-9a-f]{32})\.svg"', html).group(1)
    assert key not in hashlib.md5(b"ada@example.org").hexdigest()
    assert key not in hashlib.sha256(b"ada@example.org").hexdigest()
    response = client.get(f"/avatars/{key}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get(f"/avatars/{key}.svg").data == response.data
    for bad in ("xyz", "A" * 32, key + "0"):
        assert client.get(f"/avatars/{bad}.svg").status_code == 404


def test_remember_me_cookie_prefills_only_with_opt_in(app, client, article):
    response = post(client, remember="y", url="https://ada.example")
    assert "folio_commenter=" in str(response.headers.getlist("Set-Cookie"))
    html = client.get("/articles/hello").get_data(as_text=True)
    assert 'value="Ada Reader"' in html
    assert 'value="ada@example.org"' in html
    assert 'value="https://ada.example"' in html
    # Posting without the box ticked forgets the details.
    response = post(client, comment="Another thought entirely.")
    assert "folio_commenter=;" in str(response.headers.getlist("Set-Cookie"))
    assert 'value="Ada Reader"' not in client.get("/articles/hello").get_data(
        as_text=True
    )
    other = app.test_client()
    post(other, email="bea@example.org")
    assert 'value="bea@example.org"' not in other.get("/articles/hello").get_data(
        as_text=True
    )


def test_forged_cookies_are_ignored(app, client, article):
    with app.app_context():
        pending_id = make_comment(
            db.session.get(Article, article), status=CommentStatus.PENDING
        ).id
    client.set_cookie("folio_held", f"[{pending_id}]")
    client.set_cookie("folio_commenter", '{"name": "Mallory"}')
    html = client.get("/articles/hello").get_data(as_text=True)
    assert "awaiting moderation" not in html
    assert "Mallory" not in html
