"""The editor for imported HTML bodies, and the Featured box."""

import re

import pytest

from blueprints.articles.html_body import render_html
from models import Article
from models import BodyFormat
from models import Role
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_page
from tests.support.staff_support import staff_client

HTML_BODY = '<h1>Imported</h1>\n<p onclick="x()">From <em>WordPress</em>.</p>'


@pytest.fixture
def editor(app):
    client, _ = staff_client(app, Role.EDITOR)
    return client


def _imported(app, **kw) -> int:
    """The id of a published article whose body is HTML."""
    with app.app_context():
        return make_article(
            title="Imported", body=HTML_BODY, body_format=BodyFormat.HTML, **kw
        ).id


def _form(**overrides) -> dict[str, str]:
    data = {
        "title": "Imported",
        "slug": "",
        "summary": "",
        "tags": "",
        "body": HTML_BODY,
        "status": "published",
        "published_at": "",
        "comments_open": "y",
    }
    data.update(overrides)
    return data


def test_editor_of_an_html_article_says_html(app, editor):
    page = editor.get(f"/staff/articles/{_imported(app)}/edit").get_data(as_text=True)
    assert ">Body (HTML)</label>" in page
    assert "Imported as HTML. It is sanitized when saved" in page
    assert '<input type="hidden" name="body_format" value="html">' in page
    # The image helpers write Markdown: an HTML body's editor leaves them out.
    assert "data-editor-media" not in page
    assert "&lt;img src=&#34;/media/" in page or '&lt;img src="/media/' in page
    # The preview is the HTML, rendered.
    preview = page[page.index('<div class="prose preview">') :]
    assert preview.startswith(
        f'<div class="prose preview">{render_html(HTML_BODY).html}'
    )
    assert "onclick" not in preview


def test_editor_of_a_markdown_article_is_unchanged(app, editor):
    with app.app_context():
        article_id = make_article(title="Written").id
    page = editor.get(f"/staff/articles/{article_id}/edit").get_data(as_text=True)
    assert ">Body (Markdown)</label>" in page
    assert 'name="body_format"' not in page
    assert "data-editor-media" in page
    new = editor.get("/staff/articles/new").get_data(as_text=True)
    assert ">Body (Markdown)</label>" in new


def test_saving_an_html_article_renders_it_as_html(app, editor):
    article_id = _imported(app)
    body = '<h2>Changed</h2><p>Now <a href="javascript:x()">this</a>.</p><script>1</script>'
    response = editor.post(f"/staff/articles/{article_id}", data=_form(body=body))
    assert response.status_code == 303
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.body_format == BodyFormat.HTML
        assert article.body == body
        assert article.body_html == render_html(body).html
        assert '<h2 id="changed">' in article.body_html
        assert "<script" not in article.body_html
        assert "javascript:" not in article.body_html


def test_saving_an_html_article_with_htmx_keeps_the_html_editor(
    app, editor, htmx_headers
):
    article_id = _imported(app)
    response = editor.post(
        f"/staff/articles/{article_id}", data=_form(), headers=htmx_headers
    )
    answer = response.get_data(as_text=True)
    assert response.status_code == 200
    assert answer.lstrip().startswith('<form id="article-form"')
    assert ">Body (HTML)</label>" in answer
    assert "HX-Request" in response.headers["Vary"]


def test_posting_body_format_never_changes_a_markdown_article(app, editor):
    with app.app_context():
        article_id = make_article(title="Written").id
    editor.post(
        f"/staff/articles/{article_id}",
        data=_form(title="Written", body="# Hi", body_format="html"),
    )
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.body_format == BodyFormat.MARKDOWN
        assert article.body_html.startswith('<h2 id="hi">')


def test_live_preview_of_an_html_body(editor, htmx_headers):
    response = editor.post(
        "/staff/articles/preview",
        data={"body": HTML_BODY, "body_format": "html"},
        headers=htmx_headers,
    )
    answer = response.get_data(as_text=True).strip()
    assert response.status_code == 200
    assert answer.startswith('<div id="preview" class="preview-pane">')
    assert f'<div class="prose preview">{render_html(HTML_BODY).html}</div>' in answer
    assert "<html" not in answer
    assert "HX-Request" in response.headers["Vary"]


def test_preview_without_js_of_an_html_article(app, editor):
    article_id = _imported(app)
    response = editor.post(
        "/staff/articles/preview", data=_form(article_id=str(article_id))
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page and ">Body (HTML)</label>" in page
    assert render_html(HTML_BODY).html in page


def test_html_preview_asks_for_alt_attributes(editor, htmx_headers):
    response = editor.post(
        "/staff/articles/preview",
        data={"body": '<p><img src="/x.png"></p>', "body_format": "html"},
        headers=htmx_headers,
    )
    assert "in its alt attribute" in response.get_data(as_text=True)


def test_featured_box_is_saved_for_articles(app, editor):
    new = editor.get("/staff/articles/new").get_data(as_text=True)
    assert "Featured (shown first on the home page)" in new
    article_id = _imported(app)
    editor.post(f"/staff/articles/{article_id}", data=_form(featured="y"))
    with app.app_context():
        assert db.session.get(Article, article_id).featured is True
    page = editor.get(f"/staff/articles/{article_id}/edit").get_data(as_text=True)
    assert re.search(r'<input [^>]*checked id="featured"', page)
    editor.post(f"/staff/articles/{article_id}", data=_form())
    with app.app_context():
        assert db.session.get(Article, article_id).featured is False


def test_pages_have_no_featured_box(app, editor):
    with app.app_context():
        page_id = make_page(title="About").id
    page = editor.get(f"/staff/pages/{page_id}/edit").get_data(as_text=True)
    assert "Featured" not in page
    editor.post(
        f"/staff/pages/{page_id}",
        data={"title": "About", "slug": "about", "body": "x", "status": "published"}
        | {"featured": "y"},
    )
    with app.app_context():
        assert db.session.get(Article, page_id).featured is False
