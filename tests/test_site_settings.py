"""The settings store: read at start-up, re-read when the counter moves, never a stale page."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy import update

from models import SETTINGS_COUNTER
from models import SiteCounter
from models import SiteSetting
from models import db
from storage import sqlcount
from storage.transactions import write_transaction
from tests.support.factories import make_article
from web.site_settings import save
from web.site_settings import site_settings


def _store_row(app, **values) -> None:
    """Another process's save: the rows and the counter, in one write."""
    with app.test_request_context(), write_transaction():
        save(values, None)


def _counter(app) -> int:
    with app.app_context():
        query = select(SiteCounter.value).where(SiteCounter.name == SETTINGS_COUNTER)
        return db.session.scalar(query)


def _look_now(app) -> None:
    """As if the check interval had passed."""
    site_settings_of(app)._checked = float("-inf")


def site_settings_of(app):
    with app.app_context():
        return site_settings()


def test_stored_values_apply_at_start_up(make_app):
    first = make_app()
    _store_row(first, SITE_TITLE="Stored title", COMMENTS_PER_PAGE=7)
    second = make_app()
    assert second.config["SITE_TITLE"] == "Stored title"
    assert second.config["COMMENTS_PER_PAGE"] == 7
    assert site_settings_of(second).base["SITE_TITLE"] == "Folio"
    assert site_settings_of(second).version == _counter(second) == 1


def test_other_process_change_is_seen_after_the_interval(make_app):
    app = make_app()
    other = make_app()
    client = app.test_client()
    with app.app_context():
        make_article(slug="hello", title="Hello")
    assert "<title>Hello · Folio</title>" in client.get("/articles/hello").text
    _store_row(other, SITE_TITLE="Renamed")
    # Within the interval this process has not looked yet.
    assert "· Folio</title>" in client.get("/articles/hello").text
    _look_now(app)
    assert "<title>Hello · Renamed</title>" in client.get("/articles/hello").text


def test_counter_unchanged_means_no_second_read(make_app):
    app = make_app(SITE_SETTINGS_CHECK_SECONDS=0)
    client = app.test_client()
    client.get("/staff/login")
    with sqlcount.count_statements(app) as log:
        client.get("/staff/login")
    assert len(log) == 1 and "site_counters" in log[0]
    with sqlcount.count_statements(app) as log:
        client.get("/healthz")
        client.get("/static/favicon.svg")
    assert len(log) == 0


def test_interval_bounds_the_checks(make_app):
    app = make_app(SITE_SETTINGS_CHECK_SECONDS=3600)
    client = app.test_client()
    with sqlcount.count_statements(app) as log:
        for _ in range(5):
            client.get("/staff/login")
    assert len(log) == 0


def test_missing_counter_row_is_made_again(app):
    with app.app_context():
        db.session.execute(
            SiteCounter.__table__.delete().where(SiteCounter.name == SETTINGS_COUNTER)
        )
        db.session.commit()
    _store_row(app, FOOTER_TEXT="Hi")
    assert _counter(app) == 1


def test_unknown_stored_keys_are_ignored(make_app):
    app = make_app()
    _store_row(app, FOOTER_TEXT="Hi")
    with app.app_context():
        db.session.add(SiteSetting(key="NOT_A_SETTING", value=json.dumps("x")))
        db.session.execute(
            update(SiteCounter)
            .where(SiteCounter.name == SETTINGS_COUNTER)
            .values(value=5)
        )
        db.session.commit()
    second = make_app()
    assert "NOT_A_SETTING" not in second.config
    assert site_settings_of(second).version == 5


def test_cached_article_page_is_one_statement_with_settings_stored(make_app):
    app = make_app()
    _store_row(app, SITE_TITLE="Stored", FOOTER_TEXT="Hello *readers*")
    app = make_app()
    with app.app_context():
        make_article(slug="hello", title="Hello")
    app.test_client().get("/articles/hello")
    with sqlcount.count_statements(app) as log:
        response = app.test_client().get("/articles/hello")
    assert len(log) == 1
    assert "<title>Hello · Stored</title>" in response.text


def test_a_saved_title_shows_on_the_next_cached_request(make_app):
    app = make_app()
    with app.app_context():
        make_article(slug="hello", title="Hello")
    reader = app.test_client()
    reader.get("/articles/hello")
    reader.get("/")
    _store_row(app, SITE_TITLE="New name")
    with app.app_context():
        site_settings().reload()  # what the saving view does
    assert "<title>Hello · New name</title>" in reader.get("/articles/hello").text
    assert "New name" in reader.get("/").text
