"""Search: ranking, highlighting, hostile queries, htmx results, both databases."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from blueprints.articles.search import CLOSE
from blueprints.articles.search import OPEN
from blueprints.articles.search import PG_SEARCH_DOCUMENT
from blueprints.articles.search import _search_like
from blueprints.articles.search import fts5_match
from blueprints.articles.search import highlight
from blueprints.articles.search import search
from models import Article
from models import ArticleStatus
from models import db
from models import utcnow
from storage.sqlcount import count_statements
from tests.support.factories import make_article

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


def test_highlight_drops_markdown_markup():
    marked = (
        f"## The {OPEN}wren{CLOSE} **nests** in [the {OPEN}hedge{CLOSE}]"
        f"(https://example.org/{OPEN}wren{CLOSE}) `code` and ![a photo](p.png)"
        " | cell | [half a link](https://exa *cut* off*, here"
    )
    assert str(highlight(marked)) == (
        "The <mark>wren</mark> nests in the <mark>hedge</mark> code and a photo"
        " cell half a link cut off, here"
    )


def test_search_snippets_are_plain_text_not_markdown(app, client):
    with app.app_context():
        make_article(
            slug="marked-up",
            title="Birds",
            summary="Notes.",
            body=(
                "## Where the wren sings\n\nThe **wren** sings in "
                "[the hedge](https://example.org/hedge), see `wren.sing()`.\n\n"
                "> A _small_ wren.\n\n| Bird | Song |\n|:--|--:|\n| wren | loud |\n"
            ),
        )
    html = client.get("/search?q=wren").get_data(as_text=True)
    snippet = html[html.index('class="snippet"') :]
    snippet = snippet[snippet.index(">") + 1 : snippet.index("</p>")]
    assert "<mark>wren</mark>" in snippet.lower()
    for markup in ("##", "**", "](", "https://", "`", "&gt;", "|", ":--", "_small_"):
        assert markup not in snippet, markup
    assert "the hedge" in snippet


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


def _hit_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="hit" id="hit-(\d+)"', html)]


def test_search_orders_by_rank_then_newest_then_id_across_pages(app, client):
    """Equal rank (identical text) falls back to published_at, then to the id."""
    with app.app_context():
        at = utcnow() - timedelta(days=3)

        def heron(title: str, hours: int) -> Article:
            article = make_article(
                title=title, summary="Birds.", body="A grey bird, a heron."
            )
            article.published_at = at + timedelta(hours=hours)
            return article

        # The word in the title ranks first; the same text ranks the same.
        in_title = [heron("Heron watch", hours) for hours in (0, 2, 0)]
        in_body = [
            heron("Bird watch", hours) for hours in [1] * 3 + [0] * 9 + [-1] * 10
        ]
        make_article(title="Heron draft", status=ArticleStatus.DRAFT, body="heron")
        make_article(title="Heron later", published_ago=timedelta(days=-1))
        db.session.commit()

        def newest_then_id(articles):
            return [
                a.id
                for a in sorted(
                    articles, key=lambda a: (-a.published_at.timestamp(), a.id)
                )
            ]

        expected = newest_then_id(in_title) + newest_then_id(in_body)
    first = client.get("/search?q=heron").get_data(as_text=True)
    second = client.get("/search?q=heron&page=2").get_data(as_text=True)
    assert 'href="/search?q=heron&amp;page=2"' in first
    assert 'rel="next"' not in second
    assert _hit_ids(first) + _hit_ids(second) == expected


@pytest.mark.parametrize(("found", "more"), [(20, False), (21, True)])
def test_search_has_next_only_past_a_full_page(app, client, found, more):
    with app.app_context():
        for i in range(found):
            make_article(slug=f"full-{i}", body="osprey")
    html = client.get("/search?q=osprey").get_data(as_text=True)
    assert len(_hit_ids(html)) == 20
    assert ('rel="next"' in html) is more


@pytest.mark.parametrize(
    ("headers", "expected"), [({"HX-Request": "true"}, 1), ({}, 2)]
)
def test_search_costs_one_statement_on_any_page(app, headers, expected):
    with app.app_context():
        for i in range(25):
            make_article(slug=f"counted-{i}", body="plover")
    counts = []
    for page in (1, 2):
        with count_statements(app) as log:
            response = app.test_client().get(
                f"/search?q=plover&page={page}", headers=headers
            )
        assert response.status_code == 200
        counts.append(len(log))
    # The whole page also reads the menus: search reads no page version.
    assert counts == [expected, expected], counts


def test_search_hits_load_neither_body_nor_html(app):
    with app.app_context():
        make_article(slug="light", body="A long body about a curlew.")
    with app.test_request_context():
        hits, more = search("curlew")
        unloaded = inspect(hits[0].article).unloaded
    assert {"body", "body_html"} <= unloaded
    assert not more


@pytest.mark.parametrize(
    ("summary", "body", "marked"),
    [
        # The words in the body: the body's snippet, escaped.
        ("Plain summary.", "Before <script>alert(3)</script> the wren & after.", True),
        # Only in the summary: the summary's snippet.
        ("A <b>wren</b> summary.", "Nothing here.", True),
        # Only in the title: the summary, unmarked.
        ("Nothing & more.", "Nothing here.", False),
    ],
)
def test_snippet_comes_from_body_else_summary(app, client, summary, body, marked):
    with app.app_context():
        make_article(slug="wren", title="A wren", summary=summary, body=body)
    html = client.get("/search?q=wren").get_data(as_text=True)
    snippet = html[html.index('class="snippet"') :]
    snippet = snippet[snippet.index(">") + 1 : snippet.index("</p>")]
    assert "<script>" not in snippet
    assert "<b>" not in snippet
    assert ("<mark>wren</mark>" in snippet.lower()) is marked
    if not marked:
        assert "Nothing &amp; more." in snippet


def test_like_fallback_finds_newest_first_without_the_body(app):
    """Other databases: every word in the title, summary or body, unranked."""
    with app.app_context():
        older = make_article(
            slug="older", body="A gannet dives.", published_ago=timedelta(days=2)
        )
        newer = make_article(slug="newer", title="Gannet colony")
        make_article(slug="draft", body="gannet", status=ArticleStatus.DRAFT)
        older_id, newer_id = older.id, newer.id
    with app.test_request_context():
        rows = _search_like("GANNET", 1)
        assert [article.id for article, _ in rows] == [newer_id, older_id]
        assert {"body", "body_html"} <= inspect(rows[0][0]).unloaded
        assert [a.id for a, _ in _search_like("gannet dives", 1)] == [older_id]
        # "_" is a word character, not LIKE's any-character.
        assert _search_like("gan_et", 1) == []
