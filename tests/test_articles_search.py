"""Search: ranking, highlighting, hostile queries, htmx results, both databases."""

from pathlib import Path

import pytest

from blueprints.articles.search import CLOSE
from blueprints.articles.search import OPEN
from blueprints.articles.search import PG_SEARCH_DOCUMENT
from blueprints.articles.search import fts5_match
from blueprints.articles.search import highlight
from models import Article
from models import ArticleStatus
from models import db
from tests.factories import make_article

ROOT = Path(__file__).resolve().parent.parent


def _corpus(app):
    with app.app_context():
        make_article(
            title="Gardening notes",
            slug="garden",
            summary="Tomatoes and basil.",
            body="We grow tomatoes every summer.",
        )
        make_article(
            title="Tomatoes everywhere",
            slug="tomatoes",
            summary="A title match ranks first.",
            body="Red fruit.",
        )
        make_article(
            title="Unrelated",
            slug="other",
            summary="Nothing here.",
            body="Bicycles and trains.",
        )
        make_article(
            title="Secret tomatoes draft",
            slug="draft",
            status=ArticleStatus.DRAFT,
            body="tomatoes",
        )


def test_search_finds_ranks_and_highlights(app, client):
    _corpus(app)
    response = client.get("/search?q=tomatoes")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/articles/tomatoes" in html
    assert "/articles/garden" in html
    assert "/articles/other" not in html
    assert "/articles/draft" not in html
    assert html.index("/articles/tomatoes") < html.index("/articles/garden")
    assert "<mark>tomatoes</mark>" in html.lower()
    assert 'name="robots" content="noindex"' in html
    assert "2 results" in html


def test_search_prefix_matches_as_you_type(app, client):
    _corpus(app)
    html = client.get("/search?q=tomat").get_data(as_text=True)
    assert "/articles/tomatoes" in html


def test_search_fragment_for_htmx(app, client, htmx_headers):
    _corpus(app)
    response = client.get("/search?q=basil", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="search-results"')
    assert "<html" not in html
    assert "/articles/garden" in html
    assert "HX-Request" in response.headers["Vary"]


def test_search_page_has_live_search_input(client):
    html = client.get("/search").get_data(as_text=True)
    assert 'hx-get="/search"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-push-url="true"' in html
    assert 'method="get" action="/search"' in html
    assert "Type a word or two" in html


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"tomatoes',
        "tomatoes\"'",
        "NEAR(",
        "tomatoes OR",
        "AND",
        "-tomatoes",
        "tomatoes*",
        "title:tomatoes",
        "^tomatoes",
        "()",
        "!!!",
        "%",
        "' OR 1=1 --",
        "{col}: x",
        "a" * 500,
        "tomatoes\x00",
        "<script>alert(1)</script>",
        "tomatoes & basil | !red",
        "   ",
    ],
)
def test_hostile_queries_never_error(app, client, query):
    _corpus(app)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_punctuation_only_query_explains(app, client):
    _corpus(app)
    html = client.get("/search", query_string={"q": "!!!"}).get_data(as_text=True)
    assert "Nothing to search for" in html


def test_snippets_escape_article_text(app, client):
    with app.app_context():
        make_article(
            slug="xss",
            title="Markup",
            summary="<b>bold</b> & <script>alert(9)</script> tomatoes",
            body="plain",
        )
    html = client.get("/search?q=tomatoes").get_data(as_text=True)
    snippet = html[html.index('class="snippet"') :]
    snippet = snippet[: snippet.index("</p>")]
    assert "<script>" not in snippet
    assert "<b>" not in snippet
    # SQLite shows the text escaped; PostgreSQL's ts_headline drops the tags.
    assert "&lt;script&gt;" in snippet or "alert(9)" in snippet
    assert "<mark>tomatoes</mark>" in snippet


def test_search_index_follows_edits_and_deletes(app, client):
    with app.app_context():
        article = make_article(slug="edit", title="Alpha", body="one")
        article_id = article.id
    assert "/articles/edit" in client.get("/search?q=alpha").get_data(as_text=True)
    with app.app_context():
        found = db.session.get(Article, article_id)
        found.title = "Omega"
        db.session.commit()
    assert "/articles/edit" not in client.get("/search?q=alpha").get_data(as_text=True)
    assert "/articles/edit" in client.get("/search?q=omega").get_data(as_text=True)
    with app.app_context():
        db.session.delete(db.session.get(Article, article_id))
        db.session.commit()
    assert "/articles/edit" not in client.get("/search?q=omega").get_data(as_text=True)


@pytest.mark.parametrize("page", ["x", "0", "5"])
def test_search_bad_pages(app, client, page):
    _corpus(app)
    assert client.get(f"/search?q=tomatoes&page={page}").status_code in {400, 404}


def test_search_pages_through_many_results(app, client):
    with app.app_context():
        for i in range(23):
            make_article(slug=f"many-{i}", title=f"Many {i}", body="needle")
    first = client.get("/search?q=needle").get_data(as_text=True)
    assert first.count('class="hit"') == 20
    assert 'href="/search?q=needle&amp;page=2"' in first
    second = client.get("/search?q=needle&page=2").get_data(as_text=True)
    assert second.count('class="hit"') == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hello", '"hello"*'),
        ('he"llo wor-ld', '"he" "llo" "wor" "ld"*'),
        ("NEAR(a b)", '"NEAR" "a" "b"*'),
        ("!!!", None),
    ],
)
def test_fts5_match_quotes_every_word(query, expected):
    assert fts5_match(query) == expected


def test_highlight_escapes_all_but_marks():
    marked = f"<i>x</i> {OPEN}word{CLOSE} &"
    assert str(highlight(marked)) == "&lt;i&gt;x&lt;/i&gt; <mark>word</mark> &amp;"


def test_postgres_index_expression_matches_the_query():
    migration = (ROOT / "migrations/versions/0001_initial_schema.py").read_text()
    flattened = "".join(
        line.strip().strip('"')
        for line in migration.splitlines()
        if "setweight" in line
    )
    assert PG_SEARCH_DOCUMENT == flattened


def test_search_database_objects_exist(app):
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            names = (
                db.session.execute(
                    db.text(
                        "SELECT name FROM sqlite_master WHERE name LIKE 'articles_fts%'"
                    )
                )
                .scalars()
                .all()
            )
            assert {
                "articles_fts",
                "articles_fts_ai",
                "articles_fts_au",
                "articles_fts_ad",
            } <= set(names)
        else:
            names = (
                db.session.execute(
                    db.text(
                        "SELECT indexname FROM pg_indexes WHERE tablename = 'articles'"
                    )
                )
                .scalars()
                .all()
            )
            assert "articles_fts_document" in names
