"""Featured articles and imported HTML bodies in Chromium: the home page's
Featured section, an imported article, the HTML editor's live preview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Article
from models import BodyFormat
from models import Role
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import wait_for_htmx
from tests.browser.test_staff import mark_page
from tests.browser.test_staff import sign_in
from tests.browser.test_staff import stayed
from tests.support.factories import make_article
from tests.support.factories import make_user

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def featured(live_server):
    """Five articles, two of them featured; one with an imported HTML body."""
    with live_server.app.app_context():
        for i in range(5):
            make_article(
                title=f"Story {i}",
                slug=f"story-{i}",
                tags=["Harbour"],
                published_ago=timedelta(days=i + 1),
                featured=i in (1, 3),
            )
        make_article(
            title="Imported",
            slug="imported",
            published_ago=timedelta(days=9),
            body_format=BodyFormat.HTML,
            body="<h1>From WordPress</h1><figure><img src='https://a.example/x.jpg' "
            "alt='A boat'><figcaption>The boat</figcaption></figure><p>Text.</p>",
        )
    return live_server


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [WIDE, PHONE])
def test_featured_section_reads_well(featured, make_context, scheme, viewport):
    page = make_context(viewport=viewport, color_scheme=scheme).new_page()
    page.goto(featured("/"))
    badges = page.locator(".card-badge")
    assert badges.count() == 2
    assert badges.first.is_visible()
    colours = badges.first.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert colours[0] != colours[1]
    # The first featured card leads across the grid; nothing overflows.
    lead = page.locator("#featured-articles .card").first.bounding_box()
    grid = page.locator(".featured-section .article-list").bounding_box()
    assert abs(lead["width"] - grid["width"]) <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_no_axe_violations(page)


def test_imported_article_page_reads_well(featured, page):
    page.goto(featured("/articles/imported"))
    assert page.locator("h2#from-wordpress").is_visible()
    assert page.locator("figure figcaption").inner_text() == "The boat"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_html_editor_previews_as_you_type(featured, make_context, scheme):
    with featured.app.app_context():
        make_user(email="staff@example.com", role=Role.EDITOR, display_name="Sam")
        article_id = db.session.scalar(
            select(Article.id).where(Article.slug == "imported")
        )
    page = make_context(viewport=WIDE, color_scheme=scheme).new_page()
    sign_in(page, featured)
    page.goto(featured(f"/staff/articles/{article_id}/edit"))
    wait_for_htmx(page)
    assert page.get_by_label("Body (HTML)").is_visible()
    assert page.locator("[data-upload-button]").count() == 0
    mark_page(page)
    page.get_by_label("Body (HTML)").fill(
        "<h1>Typed</h1><p>Now <script>x</script><em>live</em>.</p>"
    )
    expect(page.locator("#preview h2#typed")).to_be_visible()
    expect(page.locator("#preview em")).to_have_text("live")
    assert page.locator("#preview script").count() == 0
    assert stayed(page)
    assert_no_axe_violations(page)
