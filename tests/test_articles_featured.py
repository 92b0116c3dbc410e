"""Featured articles (WordPress's sticky posts) atop the home page's first page."""

import re
from datetime import timedelta

import pytest

from blueprints.articles import listing
from blueprints.articles.listing import MAX_FEATURED
from models import Article
from models import ArticleStatus
from models import db
from storage.sqlcount import count_statements
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_page


def _post(days: int, featured: bool = False, **kw) -> str:
    """A published article days old; its slug."""
    return make_article(
        title=f"Post {days}{' featured' if featured else ''}",
        slug=f"post-{days}",
        published_ago=timedelta(days=days),
        featured=featured,
        **kw,
    ).slug


def _section(html: str, id_: str) -> str:
    """The HTML of the element with id_ up to the next section heading (or the end)."""
    start = html.index(f'id="{id_}"')
    end = html.find('class="section-title"', start + 1)
    return html[start : end if end > 0 else None]


def _slugs(html: str) -> list[str]:
    """The article slugs a piece of a list shows, in order."""
    return re.findall(r'class="card-link" href="/articles/([^"]+)"', html)


def test_featured_articles_head_the_first_page_with_a_badge(make_app):
    app = make_app(ARTICLES_PER_PAGE=3)
    with app.app_context():
        for days in range(1, 8):
            _post(days, featured=days in (2, 6))
    html = app.test_client().get("/").get_data(as_text=True)
    featured = _section(html, "featured-articles")
    latest = _section(html, "latest-title")
    assert html.index('id="featured-title"') < html.index('id="latest-title"')
    assert _slugs(featured) == ["post-2", "post-6"]
    assert featured.count('<p class="card-badge">Featured</p>') == 2
    # The first page's list leaves out the featured article it would show...
    assert _slugs(latest) == ["post-1", "post-3"]
    assert "card-badge" not in latest
    # ...and the next page starts where it would anyway: nothing is lost.
    second = app.test_client().get("/?page=2").get_data(as_text=True)
    assert _slugs(second) == ["post-4", "post-5", "post-6"]
    assert "card-badge" not in second and 'id="featured-title"' not in second


def test_first_featured_card_leads_and_the_list_does_not(make_app):
    app = make_app(ARTICLES_PER_PAGE=3)
    with app.app_context():
        _post(1)
        _post(2, featured=True)
    html = app.test_client().get("/").get_data(as_text=True)
    assert '<div class="article-list has-featured">' in html
    assert '<div id="article-list" class="article-list">' in html


def test_without_featured_articles_the_home_page_is_as_before(app, client):
    with app.app_context():
        _post(1)
        _post(2)
    html = client.get("/").get_data(as_text=True)
    assert "featured-title" not in html and "card-badge" not in html
    assert '<div id="article-list" class="article-list has-featured">' in html


def test_at_most_the_newest_featured_are_shown_first(make_app):
    app = make_app(ARTICLES_PER_PAGE=20)
    with app.app_context():
        for days in range(1, MAX_FEATURED + 3):
            _post(days, featured=True)
    html = app.test_client().get("/").get_data(as_text=True)
    shown = [f"post-{days}" for days in range(1, MAX_FEATURED + 1)]
    assert _slugs(_section(html, "featured-articles")) == shown
    # The older featured ones are listed in their place.
    assert _slugs(_section(html, "latest-title")) == [
        f"post-{MAX_FEATURED + 1}",
        f"post-{MAX_FEATURED + 2}",
    ]


def test_only_visible_articles_are_featured(app, client):
    with app.app_context():
        _post(1)
        make_article(title="Draft", status=ArticleStatus.DRAFT, featured=True)
        make_article(title="Later", published_ago=timedelta(days=-1), featured=True)
        make_page(title="A page", featured=True)
    html = client.get("/").get_data(as_text=True)
    assert "featured-title" not in html
    assert "Draft" not in html and "Later" not in html


def test_featured_shows_on_the_home_page_only(app, client):
    with app.app_context():
        _post(1, featured=True, tags=["Lamps"])
        _post(2, tags=["Lamps"])
    tag = client.get("/tags/lamps").get_data(as_text=True)
    assert "featured-title" not in tag and "card-badge" not in tag
    assert _slugs(tag) == ["post-1", "post-2"]
    feed = client.get("/feed.xml").get_data(as_text=True)
    assert feed.index("post-1") < feed.index("post-2")


def test_featuring_an_article_changes_the_cached_home_page(app, client):
    with app.app_context():
        _post(1)
        _post(2)
    assert "featured-title" not in client.get("/").get_data(as_text=True)
    with app.app_context(), write_transaction():
        db.session.scalar(
            db.select(Article).where(Article.slug == "post-2")
        ).featured = True
    html = client.get("/").get_data(as_text=True)
    assert _slugs(_section(html, "featured-articles")) == ["post-2"]


def test_featured_cost_no_statement_more(make_app):
    counts = []
    for featured in (False, True):
        app = make_app(ARTICLES_PER_PAGE=10)
        with app.app_context():
            # The two apps share the test's database.
            db.session.execute(db.delete(Article))
            db.session.commit()
            for days in range(1, 13):
                _post(days, featured=featured and days % 4 == 0, tags=["A", "B"])
        with count_statements(app) as log:
            response = app.test_client().get("/")
        assert response.status_code == 200
        counts.append(len(log))
    assert counts[0] == counts[1], counts


def test_featured_articles_are_found_by_their_own_index(app):
    """The home page never reads every listed article to find the featured few."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads SQLite's query plan")
        featured = listing.published_ids().where(Article.featured).limit(5)
        compiled = featured.compile(dialect=db.engine.dialect)
        plan = [
            row[-1]
            for row in db.session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", (None,) * len(compiled.positiontup)
            )
        ]
    assert any("USING INDEX ix_articles_featured" in step for step in plan), plan
