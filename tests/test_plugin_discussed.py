"""The Most discussed example plugin (examples/discussed): counts kept by the
comment signals after commit, its pages and who sees them, the page cache under
its slot, its migration branch, and its rows through export and import."""

from __future__ import annotations

import json
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from folio_discussed.models import DiscussedActivity
from sqlalchemy import inspect
from sqlalchemy import select

import blueprints.comments.views as comment_views
from app import create_app
from app import init_migrations
from models import Article
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import Role
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_page
from tests.support.fixtures import base_config
from tests.support.second_database import empty_database
from tests.support.staff_support import staff_client
from tests.test_comments import post
from tests.test_comments import stored

PLUGINS = ["discussed"]


@pytest.fixture
def app(make_app):
    return make_app(PLUGINS=PLUGINS, SPAM_MIN_SECONDS=0)


@pytest.fixture
def article(app) -> int:
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        # Stored directly (no signal, so not counted): ada@ is now trusted,
        # and her next comment is approved at once.
        make_comment(a, author_email="ada@example.org")
        return a.id


def counted(app, article_id: int) -> int:
    with app.app_context():
        rows = db.session.scalars(
            select(DiscussedActivity.comments).where(
                DiscussedActivity.article_id == article_id
            )
        )
        return sum(rows)


def activity(app) -> list[tuple[int, str, int]]:
    with app.app_context():
        rows = db.session.scalars(
            select(DiscussedActivity).order_by(
                DiscussedActivity.article_id, DiscussedActivity.day
            )
        )
        return [(r.article_id, r.day.isoformat(), r.comments) for r in rows]


def put_activity(app, article_id: int, comments: int, days_ago: int = 0) -> None:
    with app.app_context():
        day = datetime.now(UTC).date() - timedelta(days=days_ago)
        db.session.add(
            DiscussedActivity(article_id=article_id, day=day, comments=comments)
        )
        db.session.commit()


def test_public_page_lists_a_commented_article(app, client, article):
    assert post(client, comment="Counted on the page.").status_code == 303
    response = client.get("/discussed")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 class="page-title">Most discussed</h1>' in html
    assert 'href="/articles/hello"' in html
    assert "1 comment in the last 30 days" in html


def test_public_page_empty_state_and_window(make_app):
    app = make_app(PLUGINS=PLUGINS, DISCUSSED_DAYS=7)
    with app.app_context():
        old = make_article(title="Old talk").id
    put_activity(app, old, 5, days_ago=10)
    html = app.test_client().get("/discussed").get_data(as_text=True)
    assert "No article has had a comment in the last 7 days" in html
    assert "Old talk" not in html


def test_public_page_leaves_out_drafts_and_ranks_by_count(app):
    with app.app_context():
        quiet = make_article(title="Quiet").id
        busy = make_article(title="Busy").id
        draft = make_article(title="Draft", published_ago=None).id
    put_activity(app, quiet, 1)
    put_activity(app, busy, 4)
    put_activity(app, busy, 2, days_ago=3)
    put_activity(app, draft, 9)
    html = app.test_client().get("/discussed").get_data(as_text=True)
    assert html.index("Busy") < html.index("Quiet")
    assert "6 comments in the last 30 days" in html
    assert "Draft" not in html


def test_public_page_queries_do_not_grow_with_the_list(app):
    client = app.test_client()

    def statements() -> int:
        with sqlcount.count_statements(app) as log:
            assert client.get("/discussed").status_code == 200
        return len(log)

    with app.app_context():
        first = make_article(tags=["one"]).id
    put_activity(app, first, 2)
    one = statements()
    for n in range(4):
        with app.app_context():
            article_id = make_article(tags=["one", "two"]).id
        put_activity(app, article_id, n + 1)
    assert statements() == one


def test_approved_post_counts_after_commit(app, client, article):
    assert post(client, comment="A second, different comment.").status_code == 303
    assert stored(app)[-1].status == CommentStatus.APPROVED
    assert counted(app, article) == 1


def test_held_post_does_not_count(app, client, article):
    assert post(client, email="new@example.org").status_code == 303
    assert stored(app)[-1].status == CommentStatus.PENDING
    assert counted(app, article) == 0


def test_refused_duplicate_does_not_count(app, client, article):
    assert post(client, comment="Said once.").status_code == 303
    assert post(client, comment="Said once.").status_code == 422
    assert counted(app, article) == 1


def test_rolled_back_post_does_not_count(app, client, article, monkeypatch):
    original = comment_views._store

    def store_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("the write failed after the insert")

    monkeypatch.setattr(comment_views, "_store", store_then_fail)
    with pytest.raises(RuntimeError):
        post(client, comment="Never committed.")
    assert len(stored(app)) == 1
    assert counted(app, article) == 0


def test_staff_approve_and_unapprove_move_the_count(app, article):
    moderator, _ = staff_client(app, Role.MODERATOR)
    with app.app_context():
        hello = db.session.get(Article, article)
        pending = make_comment(hello, status=CommentStatus.PENDING).id
        pingback = make_comment(
            hello, status=CommentStatus.PENDING, kind=CommentKind.PINGBACK
        ).id
    assert moderator.post(f"/staff/comments/{pending}/approve").status_code == 303
    assert counted(app, article) == 1
    assert moderator.post(f"/staff/comments/{pingback}/approve").status_code == 303
    assert counted(app, article) == 1
    assert moderator.post(f"/staff/comments/{pending}/unapprove").status_code == 303
    assert counted(app, article) == 0
    assert activity(app) == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.ADMIN, True), (Role.EDITOR, True), (Role.MODERATOR, False)],
)
def test_staff_page_and_menu_entry_by_role(app, article, role, allowed):
    client, _ = staff_client(app, role)
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert ('href="/staff/discussed"' in dashboard) is allowed
    assert ("Most discussed this week" in dashboard) is allowed
    response = client.get("/staff/discussed")
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert "Recount from comments" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


def test_staff_page_keeps_the_two_factor_gate(make_app):
    app = make_app(PLUGINS=["discussed"], TWO_FACTOR_REQUIRED=True)
    client, _ = staff_client(app, Role.ADMIN)
    response = client.get("/staff/discussed")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/two-factor")


def test_staff_page_counts_seven_and_thirty_days(app, article):
    put_activity(app, article, 2)
    put_activity(app, article, 3, days_ago=20)
    client, _ = staff_client(app, Role.EDITOR)
    html = client.get("/staff/discussed").get_data(as_text=True)
    row = re.search(r'<tr id="discussed-row-\d+">.*?</tr>', html, re.S).group(0)
    assert "Hello comments" in row
    counts = r'>(\d+)(?:</span>)?<span class="cell-label">'
    assert re.findall(counts, row) == ["2", "5"]


def test_recount_rebuilds_from_approved_comments(app, article, htmx_headers):
    with app.app_context():
        hello = db.session.get(Article, article)
        make_comment(hello, status=CommentStatus.PENDING)
        make_comment(hello, kind=CommentKind.PINGBACK)
    put_activity(app, article, 40, days_ago=2)
    client, _ = staff_client(app, Role.ADMIN)
    response = client.post("/staff/discussed/recount")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/discussed"
    today = datetime.now(UTC).date().isoformat()
    assert activity(app) == [(article, today, 1)]
    response = client.post("/staff/discussed/recount", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith('<div id="discussed-table">')
    assert "Recounted from the approved comments." in html
    assert activity(app) == [(article, today, 1)]


def test_recount_without_csrf_token_is_400(make_app):
    app = make_app(PLUGINS=PLUGINS, WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app, Role.ADMIN)
    assert client.post("/staff/discussed/recount").status_code == 400


def test_count_fragment_for_htmx_and_page_without(app, client, article, htmx_headers):
    put_activity(app, article, 12)
    response = client.get("/discussed/articles/hello", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert html.startswith(
        '<p class="page-links discussed-count" id="discussed-count">'
    )
    assert "12 comments in the last 30 days." in html
    assert "HX-Request" in response.headers["Vary"]
    page = client.get("/discussed/articles/hello").get_data(as_text=True)
    assert page.startswith("<!doctype html>") and "12 comments" in page
    assert client.get("/discussed/articles/nope").status_code == 404


def test_slot_renders_and_article_page_stays_cached(make_app):
    app = make_app(PLUGINS=PLUGINS, WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_article(slug="hello", title="Hello")
        make_page(slug="about", title="About")
    first, second = app.test_client(), app.test_client()
    a = first.get("/articles/hello").get_data(as_text=True)
    with sqlcount.count_statements(app) as log:
        response = second.get("/articles/hello")
    b = response.get_data(as_text=True)
    # One statement (the page's version): served from the page cache.
    assert len(log) == 1
    token = re.compile(r'"X-CSRFToken": "([^"]+)"')
    assert token.search(a).group(1) != token.search(b).group(1)
    assert "See the most discussed articles" in b
    assert 'hx-get="/discussed/articles/hello"' in b
    assert 'hx-trigger="revealed"' in b and 'hx-swap="outerHTML"' in b
    assert "discussed-footer" not in first.get("/about").get_data(as_text=True)


def test_migration_upgrades_checks_and_downgrades(database, tmp_path):
    with empty_database(database["kind"], tmp_path) as url:
        config = base_config(url)
        config["PLUGINS"] = PLUGINS
        app = create_app(config)
        init_migrations(app)
        runner = app.test_cli_runner()
        for args in (["db", "upgrade", "heads"], ["db", "check"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        with app.app_context():
            assert "discussed_activity" in inspect(db.engine).get_table_names()
            db.engine.dispose()
        result = runner.invoke(args=["db", "downgrade", "discussed@base"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            tables = inspect(db.engine).get_table_names()
            db.engine.dispose()
        assert "discussed_activity" not in tables
        assert {"articles", "comments", "users"} <= set(tables)


def test_export_and_import_keep_the_rows(app, article, make_second_app, tmp_path):
    put_activity(app, article, 3, days_ago=1)
    put_activity(app, article, 2)
    rows = activity(app)
    path = tmp_path / "site.json"
    result = app.test_cli_runner().invoke(args=["export", "json", str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(path.read_text())
    assert [
        (r["article_id"], r["day"], r["comments"])
        for r in document["plugins"]["discussed"]
    ] == rows
    second = make_second_app(PLUGINS=PLUGINS)
    result = second.test_cli_runner().invoke(args=["import", "json", str(path)])
    assert result.exit_code == 0, result.output
    assert "plugin discussed: 2" in result.output
    assert activity(second) == rows


def test_import_warns_about_a_plugin_not_loaded(app, article, second_app, tmp_path):
    put_activity(app, article, 3)
    path = tmp_path / "site.json"
    app.test_cli_runner().invoke(args=["export", "json", str(path)])
    result = second_app.test_cli_runner().invoke(args=["import", "json", str(path)])
    assert result.exit_code == 0, result.output
    assert "the 1 record(s) of plugin discussed: they were not imported" in (
        result.output
    )
    with second_app.app_context():
        assert db.session.scalar(select(Comment.body)) == "A thoughtful comment."


def test_export_without_plugin_data_has_no_plugins_key(app, tmp_path):
    path = tmp_path / "site.json"
    app.test_cli_runner().invoke(args=["export", "json", str(path)])
    assert "plugins" not in json.loads(path.read_text())


def test_removed_comments_count_out(app, article):
    """An author's delete and an erasure send comment_removed: one out each."""
    from tests.test_readers import sign_in as reader_sign_in

    client = app.test_client()
    post(client, comment="Counted first.")
    post(client, comment="Counted second.")
    assert counted(app, article) == 2
    reader_sign_in(client, app)
    with app.app_context():
        first = db.session.scalars(
            select(Comment).where(Comment.body == "Counted first.")
        ).one()
    assert client.post(f"/your-comments/{first.id}/delete").status_code == 303
    assert counted(app, article) == 1
    assert client.post("/your-comments/erase").status_code == 303
    assert counted(app, article) == 0


def test_the_count_answer_may_be_kept_a_few_minutes(app, client, article):
    response = client.get("/discussed/articles/hello")
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_its_static_folder_serves_the_staff_pages_stylesheet(app, article):
    client, _ = staff_client(app, Role.EDITOR)
    page = client.get("/staff/discussed").get_data(as_text=True)
    assert 'href="/discussed/static/discussed.css"' in page
    css = app.test_client().get("/discussed/static/discussed.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert ".discussed-bar" in css.get_data(as_text=True)
    assert css.headers["X-Content-Type-Options"] == "nosniff"
