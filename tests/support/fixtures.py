"""Shared fixtures: app, client, runner, a migrated database per test, a live server.

The database is SQLite by default (a migrated template file copied for each test).
With FOLIO_TEST_DATABASE_URL set to PostgreSQL, the suite runs in a fresh schema
created for this run, migrated once and emptied after every test.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from app import create_app
from app import init_migrations
from extensions import limiter
from models import db
from plugins.loading import installed_entry_points

EXAMPLE_PLUGINS = {"akismet", "discussed"}
TEST_SECRET = "test-" + secrets.token_hex(24)
ROOT = Path(__file__).resolve().parents[2]


def base_config(database_url: str) -> dict:
    """The configuration every test app starts from."""
    return {
        "TESTING": True,
        "ENV": "development",
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "HTMX_CDN": True,
        "SITE_URL": "http://localhost",
        "SMTP_HOST": "",
        # Settings are read at start-up and after a save; a test that counts
        # statements must not meet the once-a-second look at their counter.
        "SITE_SETTINGS_CHECK_SECONDS": 3600,
        # An upload's sizes are made inside the request: tests see them at once.
        "MEDIA_WORKERS": 0,
    }


def _migrate(url: str) -> None:
    config = base_config(url)
    # The example plugins' tables too, so a test may enable them on a copy;
    # apps without them ignore their tables. Only the examples: another
    # plugin a developer has installed must not break Folio's tests.
    config["PLUGINS"] = sorted(set(installed_entry_points()) & EXAMPLE_PLUGINS)
    app = create_app(config)
    init_migrations(app)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        db.engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> Iterator[dict]:
    """Migrate a database once per run; describe how each test gets a fresh one."""
    pg_url = os.environ.get("FOLIO_TEST_DATABASE_URL")
    if not pg_url:
        template = tmp_path_factory.mktemp("db") / "template.db"
        _migrate(f"sqlite:///{template}")
        yield {"kind": "sqlite", "template": template}
        return
    import psycopg

    schema = f"folio_test_{os.getpid()}_{secrets.token_hex(3)}"
    plain = make_url(pg_url).set(drivername="postgresql")
    conninfo = plain.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(pg_url).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    _migrate(url_text)
    try:
        yield {"kind": "postgresql", "url": url_text, "schema": schema}
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _empty_postgres(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def database_url(database, tmp_path) -> str:
    """A URL to a freshly migrated, empty database for this test."""
    if database["kind"] == "sqlite":
        path = tmp_path / "folio.db"
        shutil.copyfile(database["template"], path)
        return f"sqlite:///{path}"
    return database["url"]


@pytest.fixture
def make_app(database, database_url, tmp_path):
    """Build an app on this test's database with extra configuration."""
    apps: list[Flask] = []

    def _make(**overrides) -> Flask:
        config = base_config(database_url)
        config["INSTANCE_PATH"] = str(tmp_path / "instance")
        config.update(overrides)
        flask_app = create_app(config)
        # Flask-Limiter keeps counters in the extension; a new app starts clean.
        if flask_app.config["RATELIMIT_ENABLED"]:
            with flask_app.app_context():
                limiter.reset()
        apps.append(flask_app)
        return flask_app

    yield _make
    for flask_app in apps:
        with flask_app.app_context():
            db.session.remove()
            db.engine.dispose()
    if database["kind"] == "postgresql" and apps:
        _empty_postgres(apps[0])


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def htmx_headers() -> dict[str, str]:
    """Headers htmx 2 sends with a request it makes."""
    return {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}


class LiveServer:
    """A threaded WSGI server on a free 127.0.0.1 port, stopped after the test."""

    def __init__(self, flask_app: Flask) -> None:
        self.app = flask_app
        self._server = make_server("127.0.0.1", 0, flask_app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def make_live_server(make_app):
    """Start a live server on an app built with extra configuration."""
    servers: list[LiveServer] = []

    def _start(**overrides) -> LiveServer:
        server = LiveServer(make_app(**overrides)).start()
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.stop()
