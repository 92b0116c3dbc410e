"""Reader pages: list, load more, tags, article page, slugs, caching, SQL counts."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.articles import listing
from blueprints.articles import versions
from blueprints.articles.publishing import change_slug
from models import Article
from models import ArticleStatus
from models import article_tags
from models import db
from models import utcnow
from storage.sqlcount import count_statements
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user


def _articles(app, n, **kw):
    with app.app_context():
        return [
            make_article(
                title=f"Post {i}", published_ago=timedelta(days=i + 1), **kw
            ).slug
            for i in range(n)
        ]


def test_index_lists_published_newest_first_with_card_details(app, client):
    with app.app_context():
        author = make_user(display_name="Ada Writer")
        make_article(
            title="Older", published_ago=timedelta(days=3), author=author, tags=["Py"]
        )
        newer = make_article(
            title="Newer", published_ago=timedelta(days=1), summary="", tags=["Web"]
        )
        make_comment(newer)
        make_comment(newer)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("Newer") < html.index("Older")
    assert "Ada Writer" in html
    assert '<time datetime="' in html
    assert "min read" in html
    assert "2 comments" in html
    assert 'href="/tags/py"' in html
    # No summary: an excerpt of the body stands in.
    assert "One Some text." in html
    assert response.headers["Vary"].count("HX-Request") == 1


def test_index_hides_drafts_and_scheduled(app, client):
    with app.app_context():
        make_article(title="Visible one")
        make_article(title="Draft one", status=ArticleStatus.DRAFT)
        make_article(title="Future one", published_ago=timedelta(days=-1))
    html = client.get("/").get_data(as_text=True)
    assert "Visible one" in html
    assert "Draft one" not in html
    assert "Future one" not in html


def test_index_empty(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles yet." in response.get_data(as_text=True)


def test_index_pagination_links_and_load_more(make_app):
    app = make_app(ARTICLES_PER_PAGE=2)
    slugs = _articles(app, 5)
    client = app.test_client()
    first = client.get("/").get_data(as_text=True)
    assert 'rel="next" href="/?page=2"' in first
    assert 'hx-get="/?page=2"' in first
    assert 'hx-target="#article-list"' in first
    assert 'hx-swap="beforeend"' in first
    assert 'hx-push-url="true"' in first
    assert "Older articles" in first
    last = client.get("/?page=3").get_data(as_text=True)
    assert f"/articles/{slugs[4]}" in last
    assert 'rel="prev" href="/?page=2"' in last
    assert "Older articles" not in last


def test_index_page_fragment_for_htmx(make_app, htmx_headers):
    app = make_app(ARTICLES_PER_PAGE=2)
    slugs = _articles(app, 3)
    response = app.test_client().get("/?page=2", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div class="article-page" id="articles-page-2">')
    assert "<html" not in html
    assert f"/articles/{slugs[2]}" in html
    assert f"/articles/{slugs[0]}" not in html
    # The pager is replaced out of band: only a "Newer" link is left.
    assert (
        'id="pager" class="pagination" aria-label="More articles" hx-swap-oob="true"'
        in html
    )
    assert "Load more" not in html


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("abc", 400),
        ("1.5", 400),
        ("-1", 400),
        ("１", 400),
        ("0", 404),
        ("99", 404),
        ("999999999999999999999", 404),
        ("", 200),
        ("1", 200),
    ],
)
def test_index_bad_page_numbers(app, client, page, status):
    _articles(app, 1)
    assert client.get(f"/?page={page}").status_code == status


def test_tag_page_lists_only_that_tag(app, client, htmx_headers):
    with app.app_context():
        make_article(title="Python one", tags=["Python"])
        make_article(title="Rust one", tags=["Rust"])
    response = client.get("/tags/python")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Python one" in html
    assert "Rust one" not in html
    assert 'href="/tags/python/feed.xml"' in html
    fragment = client.get("/tags/python", headers=htmx_headers)
    assert (
        fragment.get_data(as_text=True).lstrip().startswith('<div class="article-page"')
    )
    assert "HX-Request" in fragment.headers["Vary"]


@pytest.mark.parametrize(
    "path", ["/tags/nope", "/tags/python?page=2", "/tags/python?page=x"]
)
def test_tag_page_errors(app, client, path):
    with app.app_context():
        make_article(tags=["Python"])
    assert client.get(path).status_code in {400, 404}


def test_tag_with_only_drafts_is_404(app, client):
    with app.app_context():
        make_article(tags=["Secret"], status=ArticleStatus.DRAFT)
    assert client.get("/tags/secret").status_code == 404


def _card_ids(html: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'<article class="card" id="article-(\d+)"', html)
    ]


def _walk_pages(client, path: str) -> list[int]:
    """The card ids of every page of a list, in order, until a page has no next."""
    ids, number = [], 1
    while True:
        html = client.get(f"{path}?page={number}").get_data(as_text=True)
        ids += _card_ids(html)
        if 'rel="next"' not in html:
            return ids
        number += 1


@pytest.mark.parametrize("path", ["/", "/tags/same"])
def test_pages_order_equal_publication_times_by_id(make_app, path):
    app = make_app(ARTICLES_PER_PAGE=3)
    with app.app_context():
        at = utcnow() - timedelta(days=2)
        articles = [make_article(tags=["Same"]) for _ in range(8)]
        make_article(tags=["Same"], status=ArticleStatus.DRAFT)
        make_article(tags=["Same"], published_ago=timedelta(days=-1))
        # Five share one publication time, across page boundaries.
        for article, hours in zip(articles, [0, 0, 1, 0, -1, 0, 0, -2], strict=True):
            article.published_at = at + timedelta(hours=hours)
        db.session.commit()
        expected = [
            a.id
            for a in sorted(
                articles, key=lambda a: (a.published_at, a.id), reverse=True
            )
        ]
    assert _walk_pages(app.test_client(), path) == expected


def test_tag_cloud_on_home_page(app, client):
    with app.app_context():
        make_article(tags=["Python", "Web"])
        make_article(tags=["Python"])
        make_article(tags=["Hidden"], status=ArticleStatus.DRAFT)
    html = client.get("/").get_data(as_text=True)
    assert 'id="tag-cloud"' in html
    assert 'href="/tags/python">Python <span class="tag-count">2<' in html
    assert 'href="/tags/web">Web <span class="tag-count">1<' in html
    assert "/tags/hidden" not in html


def test_detail_shows_article(app, client):
    with app.app_context():
        author = make_user(display_name="Bo Author")
        make_article(
            title="The title",
            slug="the-title",
            body="## First\n\nText.\n\n## Second\n\n### Third\n\nMore.",
            author=author,
            tags=["Flask"],
        )
    response = client.get("/articles/the-title")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 id="article-title">The title</h1>' in html
    assert "Bo Author" in html
    assert (
        '<h2 id="first"><a class="heading-anchor" href="#first">First</a></h2>' in html
    )
    assert 'class="toc"' in html
    assert '<a href="#third">Third</a>' in html
    assert 'id="comments"' in html
    assert html.index('id="article"') < html.index('id="comments"')


def test_detail_no_toc_for_short_articles(app, client):
    with app.app_context():
        make_article(slug="short", body="## Only\n\nOne section.")
    assert 'class="toc"' not in client.get("/articles/short").get_data(as_text=True)


def test_detail_fragment_for_htmx(app, client, htmx_headers):
    with app.app_context():
        make_article(slug="frag")
    response = client.get("/articles/frag", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<article class="article" id="article"')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_detail_previous_and_next(app, client):
    with app.app_context():
        make_article(title="Oldest", slug="oldest", published_ago=timedelta(days=3))
        make_article(title="Middle", slug="middle", published_ago=timedelta(days=2))
        make_article(title="Newest", slug="newest", published_ago=timedelta(days=1))
        make_article(title="Draft", slug="draft", status=ArticleStatus.DRAFT)
    html = client.get("/articles/middle").get_data(as_text=True)
    assert 'rel="prev" href="/articles/oldest"' in html
    assert 'rel="next" href="/articles/newest"' in html
    newest = client.get("/articles/newest").get_data(as_text=True)
    assert 'rel="next"' not in newest
    assert "/articles/draft" not in newest


@pytest.mark.parametrize(
    "kw",
    [
        {"status": ArticleStatus.DRAFT},
        {"published_ago": timedelta(hours=-2)},
        {"status": ArticleStatus.DRAFT, "published_ago": None},
    ],
)
def test_detail_hides_drafts_and_scheduled(app, client, kw):
    with app.app_context():
        make_article(slug="hidden", **kw)
    assert client.get("/articles/hidden").status_code == 404


def test_detail_unknown_slug_404(client):
    assert client.get("/articles/nothing-here").status_code == 404


def test_old_slug_redirects_permanently(app, client):
    with app.app_context():
        article = make_article(slug="first-name")
        change_slug(article, "second-name")
        db.session.commit()
        change_slug(article, "third-name")
        db.session.commit()
    for old in ("first-name", "second-name"):
        response = client.get(f"/articles/{old}")
        assert response.status_code == 301
        assert response.headers["Location"] == "/articles/third-name"
    assert client.get("/articles/third-name").status_code == 200


def test_old_slug_of_a_draft_is_404(app, client):
    with app.app_context():
        article = make_article(slug="was", status=ArticleStatus.DRAFT)
        change_slug(article, "now")
        db.session.commit()
    assert client.get("/articles/was").status_code == 404


def test_sanitized_body_on_the_page(app, client):
    body = (
        "<script>alert(1)</script>\n\n"
        "[click](javascript:alert(2)) [ok](https://example.org/x)\n\n"
        '<img src=x onerror="alert(3)">\n\n'
        "![pic](javascript:alert(4))\n"
    )
    with app.app_context():
        make_article(slug="evil", body=body)
    html = client.get("/articles/evil").get_data(as_text=True)
    prose = html[html.index('class="prose"') : html.index("</article>")]
    assert "<script" not in prose
    assert 'href="javascript' not in prose
    assert 'src="javascript' not in prose
    assert "<img src=x" not in prose
    assert 'onerror="' not in prose.replace("&lt;img src=x onerror=", "")
    assert '<a rel="nofollow noopener" href="https://example.org/x">ok</a>' in prose


def test_reader_emails_never_in_public_pages(app, client):
    with app.app_context():
        article = make_article(slug="mails")
        make_comment(article, author_email="secret-reader@example.org")
    for path in (
        "/",
        "/articles/mails",
        "/feed.xml",
        "/sitemap.xml",
        "/search?q=article",
    ):
        assert "secret-reader@example.org" not in client.get(path).get_data(
            as_text=True
        )


def test_pages_work_with_csrf_on(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    _articles(app, 1)
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    # The list takes no writes: a POST without a token is refused.
    assert client.post("/").status_code in {400, 405}


# --- HTTP caching -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/articles/cached", "/tags/cache"])
def test_pages_answer_conditional_requests(app, client, path):
    with app.app_context():
        make_article(slug="cached", tags=["Cache"])
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "private, no-cache"
    for response in (first, again):
        assert {"HX-Request", "Cookie"} <= set(response.headers["Vary"].split(", "))


def test_etag_changes_when_a_comment_is_approved(app, client):
    with app.app_context():
        article_id = make_article(slug="talk").id
    etag = client.get("/articles/talk").headers["ETag"]
    with app.app_context():
        make_comment(db.session.get(Article, article_id))
    response = client.get("/articles/talk", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_etag_differs_between_visitors_and_fragment(app):
    with app.app_context():
        make_article(slug="mine")
    one, two = app.test_client(), app.test_client()
    first = one.get("/articles/mine")
    etag = first.headers["ETag"]
    assert one.get("/articles/mine", headers={"If-None-Match": etag}).status_code == 304
    # Another visitor (another session, another CSRF token) never gets a 304
    # for the first visitor's copy.
    two.get("/")
    assert two.get("/articles/mine", headers={"If-None-Match": etag}).status_code == 200
    fragment = one.get(
        "/articles/mine", headers={"If-None-Match": etag, "HX-Request": "true"}
    )
    assert fragment.status_code == 200


def test_list_etag_changes_when_an_article_is_published(app, client):
    _articles(app, 1)
    etag = client.get("/").headers["ETag"]
    _articles(app, 1)
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 200


# --- SQL statement counts ---------------------------------------------------


def _populate(app, n_articles, n_tags, n_comments):
    with app.app_context():
        author = make_user()
        tags = [f"Tag {i}" for i in range(n_tags)]
        for i in range(n_articles):
            article = make_article(
                title=f"Counted {i}",
                slug=f"counted-{i}",
                tags=tags,
                author=author,
                published_ago=timedelta(days=i + 1),
            )
            for _ in range(n_comments):
                make_comment(article)


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        # A page-cache miss: the version query, then the page (the home page's
        # tag cloud checks the site's version, and is read when it moved).
        ("/", 5),
        ("/?page=1", 5),
        ("/tags/tag-0", 4),
        # 3 for the article (with author, tags, previous/next) + 1 for comments.
        ("/articles/counted-0", 4),
        # The search and the menus (search reads no page version to key them on).
        ("/search?q=counted", 2),
        ("/feed.xml", 2),
        ("/tags/tag-0/feed.xml", 3),
        # Articles, tags, authors.
        ("/sitemap.xml", 3),
    ],
)
def test_statement_count_is_constant(make_app, path, limit):
    counts = []
    for size in ((1, 1, 0), (12, 6, 3)):
        app = make_app(ARTICLES_PER_PAGE=10)
        with app.app_context():
            db.session.execute(db.delete(Article))
            db.session.commit()
        _populate(app, *size)
        client = app.test_client()
        with count_statements(app) as log:
            response = client.get(path)
        assert response.status_code == 200, path
        counts.append(len(log))
    assert counts[0] == counts[1], counts
    assert counts[1] <= limit, counts


@pytest.mark.parametrize("path", ["/?page={}", "/tags/tag-0?page={}"])
def test_deep_pages_cost_what_the_first_page_costs(make_app, path):
    app = make_app(ARTICLES_PER_PAGE=2)
    _populate(app, 9, 2, 1)
    app.test_client().get("/")  # the tag cloud, cached per process
    counts = []
    # Page 1 is the page "/" cached: compare two pages not yet rendered.
    for number in (2, 5):
        with count_statements(app) as log:
            response = app.test_client().get(path.format(number))
        assert response.status_code == 200
        counts.append(len(log))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("tagged", [False, True])
def test_list_pages_pick_their_rows_from_the_index_alone(app, tagged):
    """The deferred join's inner query is a covering scan, in order, no sort."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads SQLite's query plan")
        ids = listing.published_ids()
        if tagged:
            ids = ids.where(
                Article.id.in_(
                    select(article_tags.c.article_id).where(article_tags.c.tag_id == 1)
                )
            )
        compiled = ids.limit(11).offset(3990).compile(dialect=db.engine.dialect)
        # The plan does not depend on the values bound (SQLite without STAT4).
        plan = [
            row[-1]
            for row in db.session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", (None,) * len(compiled.positiontup)
            )
        ]
    assert any(
        "COVERING INDEX ix_articles_kind_status_published_at_id" in step
        for step in plan
    ), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_site_version_finds_the_newest_publication_in_one_seek(app):
    """Every cached page reads it: of any kind, by index, not by a scan."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads SQLite's query plan")
        compiled = versions._site_query().statement.compile(dialect=db.engine.dialect)
        plan = [
            row[-1]
            for row in db.session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", (None,) * len(compiled.positiontup)
            )
        ]
    assert any(
        "ix_articles_status_published_at (status=? AND published_at<?)" in step
        for step in plan
    ), plan


def test_weakened_etag_still_matches(app, client):
    _articles(app, 1)
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get("/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_changes_with_the_visitors_other_cookies(app, client):
    with app.app_context():
        make_article(slug="cookies")
    etag = client.get("/articles/cookies").headers["ETag"]
    assert (
        client.get("/articles/cookies", headers={"If-None-Match": etag}).status_code
        == 304
    )
    # e.g. the comments blueprint's cookie listing comments awaiting moderation.
    client.set_cookie("folio_held", "signed-ids")
    response = client.get("/articles/cookies", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
