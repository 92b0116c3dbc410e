"""What readers see of the settings: footer text, accent colour, dates in the site's zone."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from models import Article
from models import CommentStatus
from models import db
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_comment
from web.colours import AA
from web.colours import DARK_BG
from web.colours import LIGHT_BG
from web.colours import accent_problem
from web.colours import contrast
from web.colours import dark_shades
from web.colours import light_shades
from web.site_settings import save
from web.site_settings import site_settings


def _set(app, **values) -> None:
    """Save settings as the settings page does, then reload this process."""
    with app.test_request_context():
        with write_transaction():
            save(values, None)
        site_settings().reload()


def test_footer_text_is_sanitized_markdown(app):
    _set(app, FOOTER_TEXT="Made by *us*. [Feed](/feed) <script>alert(1)</script>")
    html = app.test_client().get("/").text
    assert (
        '<div class="footer-text"><p>Made by <em>us</em>. <a href="/feed">Feed</a>'
        in html
    )
    assert "<script>alert" not in html


def test_no_footer_text_no_block(app):
    assert "footer-text" not in app.test_client().get("/").text


def test_accent_stylesheet_is_linked_and_versioned(app):
    client = app.test_client()
    assert "/assets/site-" not in client.get("/").text
    _set(app, ACCENT_COLOUR="#1d5c80")
    html = client.get("/").text
    version = site_settings_version(app)
    assert f'<link rel="stylesheet" href="/assets/site-{version}.css">' in html
    css = client.get(f"/assets/site-{version}.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert "immutable" in css.headers["Cache-Control"]
    assert ":root { --accent: #1d5c80;" in css.text
    assert "@media (prefers-color-scheme: dark)" in css.text
    old = client.get(f"/assets/site-{version - 1}.css")
    assert old.headers["Cache-Control"] == "no-cache"
    assert "--accent: #1d5c80;" in old.text


def site_settings_version(app) -> int:
    with app.app_context():
        return site_settings().version


@pytest.mark.parametrize(
    "colour", ["#1d5c80", "#a1401f", "#000000", "#6b21a8", "#0f5132"]
)
def test_accepted_accents_read_in_both_modes(colour):
    assert accent_problem(colour) is None
    light, dark = light_shades(colour), dark_shades(colour)
    assert contrast(light.accent, LIGHT_BG) >= AA
    assert contrast(dark.accent, DARK_BG) >= AA
    assert contrast(light.accent, light.fg) >= AA
    assert contrast(dark.accent, dark.fg) >= AA


@pytest.mark.parametrize("colour", ["#ffcc00", "#77aaff", "#ffffff", "#ff6a3d"])
def test_pale_accents_are_refused(colour):
    assert "choose a darker colour" in accent_problem(colour)


def test_dates_follow_time_zone_and_format(app):
    late = datetime(2025, 12, 6, 23, 30, tzinfo=UTC)
    with app.app_context():
        article = make_article(slug="hello", title="Hello")
        article = db.session.get(Article, article.id)
        article.published_at = late
        make_comment(article, status=CommentStatus.APPROVED, created_at=late)
        db.session.commit()
    client = app.test_client()
    html = client.get("/articles/hello").text
    assert ">6 December 2025</time>" in html
    assert ">6 December 2025 at 23:30</time>" in html
    _set(app, TIME_ZONE="Asia/Tokyo", DATE_FORMAT="iso")
    html = client.get("/articles/hello").text
    assert ">2025-12-07</time>" in html
    assert ">2025-12-07 at 08:30</time>" in html
    assert 'datetime="2025-12-06T23:30:00+00:00"' in html
    _set(app, DATE_FORMAT="month-day-year")
    assert ">December 7, 2025</time>" in client.get("/").text


def test_feed_etag_moves_with_the_settings(app):
    with app.app_context():
        make_article(slug="hello", title="Hello")
    client = app.test_client()
    first = client.get("/feed.xml")
    _set(app, SITE_TITLE="Renamed")
    again = client.get("/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "<title>Renamed</title>" in again.text


def test_footer_text_keeps_to_paragraphs_links_and_emphasis(app):
    _set(app, FOOTER_TEXT="# Big\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![x](/media/1)")
    footer = app.test_client().get("/").text.split('<div class="footer-text">')[1]
    footer = footer.split("</div>")[0]
    assert "<h1" not in footer and "<table" not in footer and "<img" not in footer
    assert "Big" in footer
