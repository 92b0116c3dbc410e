"""The page cache decorator, and the reader pages it serves never stale."""

import re
from datetime import timedelta

import pytest
from flask import Response
from flask import flash
from flask import render_template_string
from flask import request
from sqlalchemy import delete

from blueprints.comments.cache import form_cache
from blueprints.comments.cookies import remember_author
from blueprints.comments.moderation import set_status
from models import COMMENT_COUNTS
from models import Article
from models import ArticleStatus
from models import CommentStatus
from models import Role
from models import SiteCounter
from models import Tag
from models import db
from storage import sqlcount
from tests.support.factories import go_live
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client
from web.page_cache import cached
from web.page_cache import page_cache
from web.page_cache import per_response_value


@pytest.fixture
def counted(make_app):
    """An app with /counted, a cached view that counts its calls and versions."""
    app = make_app()
    calls = {"view": 0, "version": 0}
    state = {"version": 1}

    def version():
        calls["version"] += 1
        # A version accounts for the arguments its view declares.
        return state["version"], request.args.get("page", "1")

    def lucky() -> str:
        return "7"

    @cached(version=version, query=("page",), per_response={"lucky": lucky})
    def view():
        calls["view"] += 1
        return render_template_string(
            "<p>{{ csrf_token() }} {{ lucky }}</p>",
            lucky=per_response_value("lucky", lucky),
        )

    @cached(version=version)
    def undeclared():
        return per_response_value("lucky", lucky)

    def flasher():
        flash("Saved.")
        return "ok"

    app.add_url_rule("/counted", "counted", view)
    app.add_url_rule("/undeclared", "undeclared", undeclared)
    app.add_url_rule("/flash", "flasher", flasher)
    return app, calls, state


def test_cached_view_renders_once_and_serves_fresh_values(counted):
    app, calls, _ = counted
    first = app.test_client().get("/counted")
    second = app.test_client().get("/counted")
    assert calls["view"] == 1 and calls["version"] == 2
    tokens = [
        re.search(r"<p>(\S+) 7</p>", r.get_data(as_text=True)) for r in (first, second)
    ]
    assert all(tokens) and tokens[0].group(1) != tokens[1].group(1)
    for response in (first, second):
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.headers["Vary"] == "HX-Request, Cookie"
        assert response.headers["ETag"]


def test_cached_view_answers_304_for_the_same_visitor(counted):
    app, calls, state = counted
    client = app.test_client()
    etag = client.get("/counted").headers["ETag"]
    assert client.get("/counted", headers={"If-None-Match": etag}).status_code == 304
    other = app.test_client().get("/counted", headers={"If-None-Match": etag})
    assert other.status_code == 200  # another visitor's copy is not theirs
    state["version"] = 2
    again = client.get("/counted", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert calls["view"] == 2


def test_new_version_renders_again(counted):
    app, calls, state = counted
    app.test_client().get("/counted")
    state["version"] = 2
    app.test_client().get("/counted")
    app.test_client().get("/counted")
    assert calls["view"] == 2


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/counted", {"HX-Request": "true", "HX-Boosted": "true"}),
        ("/counted", {"HX-Request": "true", "HX-History-Restore-Request": "true"}),
        ("/counted?other=1", {}),
    ],
)
def test_boosted_history_and_unknown_arguments_skip_the_cache(counted, path, headers):
    app, calls, _ = counted
    for _ in range(2):
        response = app.test_client().get(path, headers=headers)
        assert response.status_code == 200 and response.headers["ETag"]
    assert calls["view"] == 2


def test_htmx_fragment_is_cached_apart_from_the_page(counted):
    app, calls, _ = counted
    fragment = {"HX-Request": "true"}
    for headers in (fragment, {}, fragment, {}):
        response = app.test_client().get("/counted", headers=headers)
        assert response.status_code == 200
        assert response.headers["Vary"] == "HX-Request, Cookie"
    assert calls["view"] == 2


def test_the_host_header_is_not_part_of_the_key(counted):
    """Pages link to the configured site URL only, so any Host shares one page."""
    app, calls, _ = counted
    app.test_client().get("/counted", headers={"Host": "evil.test"})
    app.test_client().get("/counted")
    assert calls["view"] == 1


def test_declared_arguments_are_part_of_the_key(counted):
    app, calls, _ = counted
    for path in ("/counted", "/counted?page=2", "/counted?page=2", "/counted"):
        app.test_client().get(path)
    assert calls["view"] == 2


def test_staff_skip_the_cache_and_the_version(counted):
    app, calls, _ = counted
    staff, _ = staff_client(app)
    for _ in range(2):
        response = staff.get("/counted")
        assert response.status_code == 200 and "ETag" not in response.headers
    assert calls == {"view": 2, "version": 0}


def test_flashed_message_skips_the_cache(counted):
    app, calls, _ = counted
    client = app.test_client()
    client.get("/flash")
    response = client.get("/counted")
    assert "ETag" not in response.headers
    assert calls == {"view": 1, "version": 0}


def test_undeclared_per_response_value_is_refused(counted):
    app, _, _ = counted
    with pytest.raises(LookupError, match="declare it"):
        app.test_client().get("/undeclared")


def test_a_hit_is_one_statement_on_every_cached_page(app):
    with app.app_context():
        make_article(slug="hello", tags=["Topic"])
        for _ in range(12):
            make_article(tags=["Topic"])
    for path in (
        "/",
        "/?page=2",
        "/tags/topic",
        "/tags/topic?page=2",
        "/articles/hello",
    ):
        app.test_client().get(path)
        with sqlcount.count_statements(app) as log:
            response = app.test_client().get(path)
        assert response.status_code == 200
        assert len(log) == 1, (path, list(log))


def test_search_is_not_cached(app):
    with app.app_context():
        make_article(title="Findable words")
    for _ in range(2):
        assert app.test_client().get("/search?q=findable").status_code == 200
    with app.app_context():
        assert page_cache().pages() == []


# Each change below must show on the pages at once: article, home, tag.

PAGES = ("/", "/tags/topic", "/articles/anchor", "/articles/middle")


def _html(app, path: str) -> str:
    response = app.test_client().get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _site(app) -> None:
    """An anchor article, with a neighbour "Middle" after it, both tagged Topic."""
    with app.app_context():
        make_article(
            slug="anchor", title="Anchor", tags=["Topic"], published_ago=timedelta(3)
        )
        make_article(
            slug="middle", title="Middle", tags=["Topic"], published_ago=timedelta(2)
        )
    for path in PAGES:  # all cached now
        _html(app, path)


def _change(app, **values) -> None:
    with app.app_context():
        article = db.session.scalar(db.select(Article).filter_by(slug="middle"))
        for name, value in values.items():
            setattr(article, name, value)
        db.session.commit()


def test_edited_title_shows_everywhere(app):
    _site(app)
    _change(app, title="Renamed middle")
    for path in PAGES:
        assert "Renamed middle" in _html(app, path), path


def test_deleted_article_goes_everywhere(app):
    _site(app)
    with app.app_context():
        # The older one: the newest updated_at stays as it was.
        db.session.delete(
            db.session.scalar(db.select(Article).filter_by(slug="anchor"))
        )
        db.session.commit()
    for path in ("/", "/tags/topic", "/articles/middle"):
        assert "/articles/anchor" not in _html(app, path), path


def test_unpublished_article_goes_everywhere(app):
    _site(app)
    _change(app, status=ArticleStatus.DRAFT)
    for path in PAGES[:3]:
        assert "/articles/middle" not in _html(app, path), path


def test_new_article_shows_everywhere(app):
    _site(app)
    with app.app_context():
        make_article(slug="newest", title="Newest", tags=["Topic"])
    for path in ("/", "/tags/topic", "/articles/middle"):  # middle: its next
        assert "Newest" in _html(app, path), path


def test_scheduled_article_going_live_shows_everywhere(app):
    _site(app)
    with app.app_context():
        later = make_article(
            slug="later",
            title="Later",
            tags=["Topic"],
            published_ago=-timedelta(hours=1),
        )
        updated_at = later.updated_at
    # Cached while "later" is still scheduled.
    for path in PAGES:
        assert "/articles/later" not in _html(app, path), path
    go_live(app, "later", updated_at)
    for path in ("/", "/tags/topic", "/articles/middle"):
        assert "/articles/later" in _html(app, path), path


def test_renamed_tag_shows_everywhere(app):
    _site(app)
    with app.app_context():
        tag = db.session.scalar(db.select(Tag).filter_by(slug="topic"))
        tag.name = "Subject"
        db.session.commit()
    for path in PAGES:
        assert "Subject" in _html(app, path), path


def test_retagged_article_shows_everywhere(app):
    _site(app)
    with app.app_context():
        article = db.session.scalar(db.select(Article).filter_by(slug="anchor"))
        article.tags = [Tag(name="Fresh tag", slug="fresh-tag")]
        db.session.commit()
    home = _html(app, "/")
    assert '/tags/fresh-tag">Fresh tag <span class="tag-count">1<' in home
    assert "/articles/anchor" not in _html(app, "/tags/topic")
    assert "/tags/fresh-tag" in _html(app, "/articles/anchor")


@pytest.mark.parametrize("path", ["/", "/tags/topic", "/?page=2"])
def test_comment_count_on_cards_follows_moderation(make_app, path):
    app = make_app(ARTICLES_PER_PAGE=1)
    with app.app_context():
        counted = make_article(
            slug="counted", tags=["Topic"], published_ago=timedelta(days=2)
        )
        pending = make_comment(counted, status=CommentStatus.PENDING)
        pending_id = pending.id
        if path == "/?page=2":
            make_article(slug="newer", published_ago=timedelta(days=1))
    assert "0 comments" in _html(app, path)
    with app.app_context():
        from models import Comment

        comment = db.session.get(Comment, pending_id)
        set_status(comment, CommentStatus.APPROVED, "approved by a test")
        db.session.commit()
    assert "1 comment<" in _html(app, path)


def test_comment_count_on_cards_follows_a_new_comment(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False)
    with app.app_context():
        make_article(slug="hello", tags=["Topic"])
    assert "0 comments" in _html(app, "/")
    assert "0 comments" in _html(app, "/tags/topic")
    client = app.test_client()
    html = client.get("/articles/hello").get_data(as_text=True)
    stamp = re.search(r'name="rendered_at" type="hidden" value="([^"]+)"', html)
    response = client.post(
        "/articles/hello/comments",
        data={
            "rendered_at": stamp.group(1),
            "author": "Ada",
            "email": "ada@example.org",
            "comment": "A first approved comment.",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(Article.comment_count)) == 1
    assert "1 comment<" in _html(app, "/")
    assert "1 comment<" in _html(app, "/tags/topic")


# A returning commenter's details are per-response values.

NAME = """Ada "<b>" & O'Neil"""
EMAIL = """ada+"<i>"&'x@example.org"""
SITE = """https://example.org/?a=1&b="x'<>"""


def _remembered(app, client) -> None:
    with app.test_request_context():
        response = Response()
        remember_author(response, NAME, EMAIL, SITE)
        value = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    client.set_cookie("folio_commenter", value)


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def _form(html: str) -> str:
    return html.split('id="comment-form"')[1].split("</form>")[0]


def _remember_box(form: str) -> str:
    return re.search(r'<input[^>]*id="remember"[^>]*>', form).group(0)


def _stored(app) -> bytes:
    with app.app_context():
        pages = [b"".join(page.parts) for page in page_cache().pages()]
        forms = [b"".join(form.parts) for form in form_cache()._entries.values()]
    return b"".join(pages + forms)


@pytest.mark.parametrize("commenter_first", [False, True])
def test_remembered_commenter_gets_the_cached_page_with_their_details(
    app, commenter_first
):
    with app.app_context():
        make_article(slug="hello")
    commenter = app.test_client()
    _remembered(app, commenter)
    if not commenter_first:
        _html(app, "/articles/hello")  # another reader fills the cache
    commenter.get("/articles/hello")
    with sqlcount.count_statements(app) as log:
        html = commenter.get("/articles/hello").get_data(as_text=True)
    assert len(log) == 1
    form = _form(html)
    for value in (NAME, EMAIL, SITE):
        assert f'value="{_escaped(value)}"' in form
    assert "<b>" not in html and "<i>" not in html
    assert " checked " in _remember_box(form)
    # Another reader never sees them; the cache never holds them.
    other = _html(app, "/articles/hello")
    for value in (NAME, EMAIL, SITE, _escaped(NAME), _escaped(EMAIL)):
        assert value not in other
    assert "checked" not in _remember_box(_form(other))
    stored = _stored(app)
    for value in ("ada+", "O&#39;Neil", "O'Neil", "example.org/?a=1"):
        assert value.encode() not in stored


def test_remembered_details_are_the_same_cached_or_not(app):
    with app.app_context():
        make_article(slug="hello")
    commenter = app.test_client()
    _remembered(app, commenter)
    cached_form = _form(commenter.get("/articles/hello").get_data(as_text=True))
    # ?cpage= skips the page cache: the form is filled outside it.
    plain_form = _form(commenter.get("/articles/hello?cpage=1").get_data(as_text=True))
    # Signed values carry the second they were made: two renders may differ.
    strip = re.compile(
        r'(?<=name="csrf_token" type="hidden" )value="[^"]*"'
        r'|value="[^"]*"(?= id="(?:csrf_token|rendered_at)")|value="form\.[^"]*"'
    )
    assert strip.sub("", cached_form) == strip.sub("", plain_form)


def test_visitor_with_held_comments_skips_the_cache(app):
    with app.app_context():
        make_article(slug="hello")
    _html(app, "/articles/hello")
    client = app.test_client()
    client.set_cookie("folio_held", "anything")
    with sqlcount.count_statements(app) as log:
        response = client.get("/articles/hello")
    assert response.status_code == 200 and len(log) > 1


def test_list_pages_follow_comments_even_without_the_counter_row(app):
    with app.app_context():
        article = make_article(slug="hello")
        comment_id = make_comment(article, status=CommentStatus.PENDING).id
        db.session.execute(delete(SiteCounter))
        db.session.commit()
    assert "0 comments" in _html(app, "/")
    client, _ = staff_client(app, Role.MODERATOR)
    client.post(f"/staff/comments/{comment_id}/approve")
    assert "1 comment<" in _html(app, "/")
    with app.app_context():
        assert db.session.get(SiteCounter, COMMENT_COUNTS).value == 1
