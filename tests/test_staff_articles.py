"""The staff article list and editor."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.articles.markdown import render_markdown
from models import Article
from models import ArticleStatus
from models import Comment
from models import Role
from models import SlugRedirect
from models import Tag
from models import db
from models import utcnow
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user
from tests.support.staff_support import staff_client

BODY = (
    "# Heading\n\nSome *text* with [a link](https://example.com).\n\n<script>x</script>"
)


@pytest.fixture
def editor(app):
    client, _ = staff_client(app, Role.EDITOR)
    return client


def article_data(**overrides):
    data = {
        "title": "Hello World",
        "slug": "",
        "summary": "A summary.",
        "tags": "Flask, htmx , flask",
        "body": BODY,
        "status": "draft",
        "published_at": "",
        "comments_open": "y",
    }
    data.update(overrides)
    return data


def test_list_filters_and_search(app, editor):
    with app.app_context():
        make_article(title="Published one")
        make_article(title="Draft one", status=ArticleStatus.DRAFT, published_ago=None)
        make_article(title="Scheduled one", published_ago=-timedelta(days=2))
    page = editor.get("/staff/articles").data
    assert b"Published one" in page and b"Draft one" in page
    drafts = editor.get("/staff/articles?status=draft").data
    assert b"Draft one" in drafts and b"Published one" not in drafts
    scheduled = editor.get("/staff/articles?status=scheduled").data
    assert b"Scheduled one" in scheduled and b"Draft one" not in scheduled
    published = editor.get("/staff/articles?status=published").data
    assert b"Published one" in published and b"Scheduled one" not in published
    found = editor.get("/staff/articles?q=draft").data
    assert b"Draft one" in found and b"Published one" not in found
    # LIKE wildcards are searched for literally.
    assert b"Draft one" not in editor.get("/staff/articles?q=dr_ft").data
    assert b"Draft one" not in editor.get("/staff/articles?q=%25").data


@pytest.mark.parametrize(
    "query", ["?status=bogus", "?page=99", "?q=" + "x" * 500, "?q=%25_"]
)
def test_list_odd_input_is_not_an_error(editor, query):
    assert editor.get("/staff/articles" + query).status_code == 200


def test_list_fragment_for_htmx(editor, htmx_headers):
    response = editor.get("/staff/articles?status=draft", headers=htmx_headers)
    assert response.data.lstrip().startswith(b'<div id="article-list">')
    assert b"<html" not in response.data
    assert "HX-Request" in response.headers["Vary"]
    full = editor.get("/staff/articles")
    assert b"<html" in full.data and "HX-Request" in full.headers["Vary"]


def test_list_has_no_n_plus_one(app, editor):
    with app.app_context():
        make_article()
    editor.get("/staff/articles")
    with sqlcount.count_statements(app) as few:
        editor.get("/staff/articles")
    with app.app_context():
        for _ in range(8):
            make_article()
    with sqlcount.count_statements(app) as many:
        editor.get("/staff/articles")
    assert len(many) == len(few)


def test_create_without_js(app, editor):
    response = editor.post("/staff/articles", data=article_data())
    assert response.status_code == 303
    with app.app_context():
        article = db.session.scalar(select(Article))
        assert response.headers["Location"] == f"/staff/articles/{article.id}/edit"
        assert article.slug == "hello-world"
        assert article.status == ArticleStatus.DRAFT
        assert article.published_at is None
        assert [t.name for t in article.tags] == ["Flask", "htmx"]
        assert article.body_html == render_markdown(BODY).html
        assert "<script>" not in article.body_html
        assert article.author_id is not None


def test_create_with_htmx_returns_form_and_status(app, editor, htmx_headers):
    response = editor.post("/staff/articles", data=article_data(), headers=htmx_headers)
    assert response.status_code == 200
    assert response.data.lstrip().startswith(b'<form id="article-form"')
    assert b'id="save-status"' in response.data
    assert b'hx-swap-oob="true"' in response.data
    assert b"Saved at" in response.data
    assert response.headers["HX-Replace-Url"].endswith("/edit")
    assert "HX-Request" in response.headers["Vary"]


def test_publish_now_and_schedule(app, editor):
    editor.post("/staff/articles", data=article_data(status="published"))
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    editor.post(
        "/staff/articles",
        data=article_data(title="Later", status="published", published_at=later),
    )
    with app.app_context():
        now_article = db.session.scalar(
            select(Article).where(Article.title == "Hello World")
        )
        later_article = db.session.scalar(
            select(Article).where(Article.title == "Later")
        )
        assert now_article.is_published
        assert later_article.is_scheduled
    assert app.test_client().get("/articles/hello-world").status_code == 200
    assert app.test_client().get("/articles/later").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, b"required"),
        ({"title": "x" * 201}, b"200"),
        ({"slug": "Not A Slug!"}, b"lower-case"),
        ({"slug": "taken"}, b"Another article or page uses"),
        ({"slug": "old-one"}, b"Another article or page uses"),
        ({"status": "live"}, b"Not a valid choice"),
        ({"published_at": "tomorrow"}, b"Not a valid datetime"),
        ({"tags": "x" * 70}, b"64 characters"),
    ],
)
def test_create_rejects_bad_input(app, editor, htmx_headers, overrides, message):
    with app.app_context():
        other = make_article(slug="taken")
        db.session.add(SlugRedirect(slug="old-one", article_id=other.id))
        db.session.commit()
    response = editor.post("/staff/articles", data=article_data(**overrides))
    assert response.status_code == 422
    assert message in response.data
    assert b"<html" in response.data
    fragment = editor.post(
        "/staff/articles", data=article_data(**overrides), headers=htmx_headers
    )
    assert fragment.status_code == 422
    assert fragment.data.lstrip().startswith(b'<form id="article-form"')
    assert b"Not saved" in fragment.data
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Article.id))) == 1


def test_update_changes_slug_and_keeps_old(app, editor):
    with app.app_context():
        article = make_article(title="First title", slug="first-title")
        article_id = article.id
    response = editor.post(
        f"/staff/articles/{article_id}",
        data=article_data(
            title="Second title", slug="second-title", status="published"
        ),
    )
    assert response.status_code == 303
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.slug == "second-title"
        assert [r.slug for r in article.old_slugs] == ["first-title"]
        assert db.session.scalar(select(db.func.count(Tag.id))) == 2
    old = app.test_client().get("/articles/first-title")
    assert old.status_code == 301
    assert old.headers["Location"].endswith("/articles/second-title")


def test_edit_page_shows_saved_values(app, editor):
    with app.app_context():
        article = make_article(title="Shown", tags=["One", "Two"], body="Hello *there*")
        article_id = article.id
    page = editor.get(f"/staff/articles/{article_id}/edit")
    assert page.status_code == 200
    assert b'value="Shown"' in page.data
    assert b'value="One, Two"' in page.data
    assert b"<em>there</em>" in page.data
    assert b"data-warn-unsaved" in page.data
    assert b"js/staff.js" in page.data


def test_missing_article_is_404(editor):
    assert editor.get("/staff/articles/999/edit").status_code == 404
    assert editor.post("/staff/articles/999", data=article_data()).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        BODY,
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
        "[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        "",
    ],
)
def test_live_preview_uses_public_pipeline(editor, htmx_headers, body):
    response = editor.post(
        "/staff/articles/preview", data={"body": body}, headers=htmx_headers
    )
    assert response.status_code == 200
    expected = f'<div class="prose preview">{render_markdown(body).html}</div>'
    answer = response.data.decode().strip()
    assert answer.startswith('<div id="preview" class="preview-pane">')
    assert expected in answer
    assert "HX-Request" in response.headers["Vary"]


def test_preview_without_js_shows_editor_with_preview(editor):
    response = editor.post(
        "/staff/articles/preview", data=article_data(body="**bold**")
    )
    assert response.status_code == 200
    assert b"<html" in response.data
    assert b"<strong>bold</strong>" in response.data
    assert b'name="title"' in response.data


def test_reader_preview_of_draft(app, editor):
    with app.app_context():
        article = make_article(
            title="Secret draft",
            status=ArticleStatus.DRAFT,
            published_ago=None,
            body="Draft **body**",
        )
        article_id, slug = article.id, article.slug
    assert app.test_client().get(f"/articles/{slug}").status_code == 404
    response = editor.get(f"/staff/articles/{article_id}/preview")
    assert response.status_code == 200
    assert b"Secret draft" in response.data
    assert b"Draft <strong>body</strong>" in response.data
    assert b"a draft; readers cannot see it" in response.data
    # A preview shows the article, not a comment form that could not post.
    assert b'id="comments"' not in response.data
    assert b"Back to the editor" in response.data
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_reader_preview_shows_byline_tags_and_toc_unindexed(app, editor):
    with app.app_context():
        author = make_user(display_name="Drafter")
        article = make_article(
            title="Work in progress",
            slug="wip",
            status=ArticleStatus.DRAFT,
            published_ago=None,
            author=author,
            tags=["Soon"],
            body="## A\n\n## B\n\n## C\n\ntext",
        )
        article_id = article.id
    html = editor.get(f"/staff/articles/{article_id}/preview").get_data(as_text=True)
    assert "Work in progress" in html
    assert "Preview, as readers see it:" in html
    assert "Drafter" in html
    assert "Soon" in html
    assert 'class="toc"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_reader_preview_of_scheduled_article_has_no_neighbours(app, editor):
    with app.app_context():
        make_article(slug="live")
        article = make_article(slug="later", published_ago=timedelta(days=-2))
        article_id = article.id
    html = editor.get(f"/staff/articles/{article_id}/preview").get_data(as_text=True)
    assert "scheduled for" in html
    assert 'class="neighbours"' not in html


def test_delete_asks_then_deletes(app, editor):
    with app.app_context():
        article = make_article(title="Doomed")
        make_comment(article)
        article_id = article.id
    confirm = editor.get(f"/staff/articles/{article_id}/delete")
    assert confirm.status_code == 200
    assert b"Delete permanently" in confirm.data
    with app.app_context():
        assert db.session.get(Article, article_id) is not None
    response = editor.post(f"/staff/articles/{article_id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/articles"
    with app.app_context():
        assert db.session.get(Article, article_id) is None
        assert db.session.scalar(select(db.func.count(Comment.id))) == 0


def test_editor_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app, Role.EDITOR)
    page = client.get("/staff/articles/new").data.decode()
    assert 'name="csrf_token"' in page
    assert client.post("/staff/articles", data=article_data()).status_code == 400
    assert client.post("/staff/articles/preview", data={"body": "x"}).status_code == 400


def test_edit_fragment_for_htmx(app, editor, htmx_headers):
    with app.app_context():
        article_id = make_article(title="Fragment me").id
    response = editor.get(f"/staff/articles/{article_id}/edit", headers=htmx_headers)
    assert response.data.lstrip().startswith(b'<form id="article-form"')
    assert b"<html" not in response.data
    assert "HX-Request" in response.headers["Vary"]


def test_list_pages_keep_their_filter(app, editor):
    with app.app_context():
        for n in range(25):
            make_article(title=f"Paged {n}")
    first = editor.get("/staff/articles?status=published&q=Paged").text
    assert "Page 1 of 2" in first
    assert (
        'rel="next" href="/staff/articles?page=2&amp;status=published&amp;q=Paged">Next'
        in first
    )
    second = editor.get("/staff/articles?status=published&q=Paged&page=2").text
    assert (
        'rel="prev" href="/staff/articles?page=1&amp;status=published&amp;q=Paged">Previous'
        in second
    )
