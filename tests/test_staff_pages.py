"""The staff Pages section: its list, the page editor, the privacy page template."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import Role
from models import SlugRedirect
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_page
from tests.support.staff_support import staff_client


@pytest.fixture
def editor(app):
    client, _ = staff_client(app, Role.EDITOR)
    return client


def page_data(**overrides):
    data = {
        "title": "About us",
        "slug": "",
        "body": "## Who we are\n\nA small team.",
        "status": "published",
    }
    data.update(overrides)
    return data


def _page(app) -> Article:
    with app.app_context():
        page = db.session.scalar(
            select(Article).where(Article.kind == ArticleKind.PAGE)
        )
        db.session.expunge(page)
        return page


def test_pages_list_shows_pages_and_articles_list_shows_articles(app, editor):
    with app.app_context():
        make_page("About us", slug="about")
        make_article("Field notes")
    pages = editor.get("/staff/pages").get_data(as_text=True)
    assert "About us" in pages and "/about" in pages and "Field notes" not in pages
    assert 'href="/staff/pages/new"' in pages
    articles = editor.get("/staff/articles").get_data(as_text=True)
    assert "Field notes" in articles and "About us" not in articles


def test_pages_list_has_no_n_plus_one(app, editor):
    with app.app_context():
        make_page()
    editor.get("/staff/pages")
    with sqlcount.count_statements(app) as few:
        editor.get("/staff/pages")
    with app.app_context():
        for _ in range(8):
            make_page()
    with sqlcount.count_statements(app) as many:
        editor.get("/staff/pages")
    assert len(many) == len(few)


def test_new_page_editor_leaves_out_date_tags_and_summary(editor):
    html = editor.get("/staff/pages/new").get_data(as_text=True)
    assert 'action="/staff/pages"' in html
    assert 'name="kind" value="page"' in html
    for absent in ('name="summary"', 'name="tags"', 'name="published_at"'):
        assert absent not in html, absent
    assert "Allow comments" in html
    assert 'name="comments_open" type="checkbox" value="y">' in html  # unchecked
    assert "New page" in html


def test_create_page_without_js(app, editor):
    response = editor.post("/staff/pages", data=page_data())
    assert response.status_code == 303
    page = _page(app)
    assert response.headers["Location"] == f"/staff/pages/{page.id}/edit"
    assert page.slug == "about-us"
    assert page.status == ArticleStatus.PUBLISHED
    assert page.published_at is not None
    assert page.comments_open is False
    assert page.summary == "" and "Who we are" in page.body_html
    assert editor.get("/about-us").status_code == 200


def test_create_page_with_htmx_answers_the_form_and_the_heading(
    app, editor, htmx_headers
):
    response = editor.post("/staff/pages", data=page_data(), headers=htmx_headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="article-form"')
    page = _page(app)
    assert response.headers["HX-Replace-Url"] == f"/staff/pages/{page.id}/edit"
    assert f'action="/staff/pages/{page.id}"' in html
    assert 'href="/about-us">View it on the site' in html
    assert "Edit page" in html and 'hx-swap-oob="true"' in html


def test_a_page_ignores_tags_summary_and_a_date_sent_anyway(app, editor):
    data = page_data(tags="Birds", summary="A dek", published_at="2999-01-01T00:00")
    assert editor.post("/staff/pages", data=data).status_code == 303
    page = _page(app)
    with app.app_context():
        assert db.session.get(Article, page.id).tags == []
    assert page.summary == ""
    assert page.published_at.year < 2999


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"slug": "Not A Slug"}, "Use lower-case letters"),
        ({"slug": "search"}, "The site uses /search already"),
        ({"slug": "staff"}, "The site uses /staff already"),
        ({"slug": "tags"}, "The site uses /tags already"),
        ({"slug": "pages"}, "The site uses /pages already"),
        ({"slug": "authors"}, "The site uses /authors already"),
        ({"slug": "api"}, "The site uses /api already"),
        ({"status": "gone"}, "Not a valid choice"),
        ({"body": "x" * 200_001}, "Field cannot be longer"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_create_page_rejects_bad_input(app, editor, overrides, message, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = editor.post("/staff/pages", data=page_data(**overrides), headers=headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert html.lstrip().startswith("<form") is htmx
    with app.app_context():
        assert db.session.scalar(select(Article)) is None


def test_slug_from_a_title_the_site_uses_gets_a_number(app, editor):
    assert (
        editor.post("/staff/pages", data=page_data(title="Search")).status_code == 303
    )
    assert _page(app).slug == "search-2"


def test_a_page_slug_may_not_take_an_article_s(app, editor):
    with app.app_context():
        make_article(slug="taken")
    response = editor.post("/staff/pages", data=page_data(slug="taken"))
    assert response.status_code == 422
    assert "Another article or page uses (or used) this slug" in response.get_data(
        as_text=True
    )


def test_renaming_a_page_keeps_its_old_address(app, editor):
    with app.app_context():
        page_id = make_page("About", slug="about").id
    response = editor.post(
        f"/staff/pages/{page_id}", data=page_data(title="About", slug="team")
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(SlugRedirect.slug)) == "about"
    assert editor.get("/about").headers["Location"] == "/team"


def test_allow_comments_is_saved(app, editor):
    response = editor.post("/staff/pages", data=page_data(comments_open="y"))
    assert response.status_code == 303
    assert _page(app).comments_open is True


@pytest.mark.parametrize(
    "path",
    [
        "/staff/articles/{page}/edit",
        "/staff/articles/{page}/preview",
        "/staff/articles/{page}/delete",
        "/staff/pages/{article}/edit",
        "/staff/pages/{article}/preview",
        "/staff/pages/{article}/delete",
    ],
)
def test_each_kind_has_its_own_editor_addresses(app, editor, path):
    with app.app_context():
        ids = {"page": make_page().id, "article": make_article().id}
    assert editor.get(path.format(**ids)).status_code == 404


def test_saving_a_page_through_the_article_address_is_404(app, editor):
    with app.app_context():
        page_id = make_page("About", slug="about").id
    response = editor.post(f"/staff/articles/{page_id}", data=page_data())
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Article, page_id).title == "About"


def test_no_js_preview_of_a_new_page_keeps_the_page_form(editor):
    response = editor.post(
        "/staff/articles/preview", data={**page_data(), "kind": "page"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/staff/pages"' in html and 'name="tags"' not in html
    assert "<h2" in html and "Who we are" in html


def test_delete_a_page(app, editor):
    with app.app_context():
        page_id = make_page("About", slug="about").id
    confirm = editor.get(f"/staff/pages/{page_id}/delete").get_data(as_text=True)
    assert f'action="/staff/pages/{page_id}/delete"' in confirm
    assert "menu links to it" in confirm
    response = editor.post(f"/staff/pages/{page_id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/pages"
    with app.app_context():
        assert db.session.get(Article, page_id) is None


def test_empty_pages_list_offers_the_privacy_page(app, editor):
    html = editor.get("/staff/pages").get_data(as_text=True)
    assert "Create the privacy page from the template" in html
    assert 'action="/staff/pages/privacy"' in html
    response = editor.post("/staff/pages/privacy")
    assert response.status_code == 303
    page = _page(app)
    assert response.headers["Location"] == f"/staff/pages/{page.id}/edit"
    assert (page.title, page.slug) == ("Privacy", "privacy")
    assert page.status == ArticleStatus.DRAFT and page.comments_open is False
    listed = editor.get("/staff/pages").get_data(as_text=True)
    assert "Create the privacy page" not in listed
    assert editor.get("/privacy").status_code == 404  # a draft until published


def test_a_second_privacy_page_gets_its_own_slug(app, editor):
    with app.app_context():
        make_page("Privacy", slug="privacy")
    assert editor.post("/staff/pages/privacy").status_code == 303
    with app.app_context():
        slugs = set(db.session.scalars(select(Article.slug)))
    assert slugs == {"privacy", "privacy-2"}


@pytest.mark.parametrize(
    ("config", "present", "absent"),
    [
        (
            {"HTMX_CDN": True, "IMAGE_HOSTS": []},
            ["cdn.jsdelivr.net", "served from this site"],
            ["sees your address when your browser fetches those"],
        ),
        (
            {"HTMX_CDN": False, "IMAGE_HOSTS": ["images.example.net"]},
            ["images.example.net"],
            ["jsdelivr"],
        ),
    ],
)
def test_privacy_text_says_what_this_site_stores(make_app, config, present, absent):
    app = make_app(**config)
    client, _ = staff_client(app)
    client.post("/staff/pages/privacy")
    body = _page(app).body
    for text in (
        "folio_commenter",
        "folio_held",
        "keyed hash of your IP address",
        "never shown on the site or in its feeds",
        "user agent",
        "365 days",
        "30 days",
        "no analytics",
        "Contact messages",
        *present,
    ):
        assert text in body, text
    for text in absent:
        assert text not in body, text


def test_seed_privacy_command(app, runner):
    result = runner.invoke(args=["pages", "seed-privacy", "--publish"])
    assert result.exit_code == 0, result.output
    assert "/privacy (published)" in result.output
    client = app.test_client()
    html = client.get("/privacy").get_data(as_text=True)
    assert "keyed hash of your IP address" in html
    again = runner.invoke(args=["pages", "seed-privacy"])
    assert "/privacy-2 (a draft)" in again.output
