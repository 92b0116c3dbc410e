"""Folio's application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from dotenv import load_dotenv
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter

import cli
from blueprints.articles import bp as articles_bp
from blueprints.articles import site_text
from blueprints.comments import bp as comments_bp
from blueprints.contact import bp as contact_bp
from blueprints.media import bp as media_bp
from blueprints.media import pictures
from blueprints.media import processing
from blueprints.media import site_images
from blueprints.readers import bp as readers_bp
from blueprints.staff import bp as staff_bp
from blueprints.subscriptions import bp as subscriptions_bp
from config import instance_secret
from config import load_settings
from extensions import csrf
from extensions import login_manager
from mail import outbox
from models import MAX_ID
from models import db
from plugins import loading as plugin_loading
from plugins import slots as plugin_slots
from porting import import_runs
from storage import limit_counters
from storage import media_files
from storage import sqlite
from storage import teardown
from storage.instance import secure_instance
from web import accent
from web import dates
from web import errors
from web import hidden_characters
from web import security
from web import signing
from web import site_settings
from web import stylesheet
from web.large_body import SpoolingRequest
from web.rate_limit import init_limiter

HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_CDN_URL = (
    f"{security.HTMX_CDN_ORIGIN}/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
)


class IdConverter(IntegerConverter):
    """`<int:...>` in Folio's URLs: ids fit a 32-bit integer column (PostgreSQL's
    INTEGER), so a larger number is a 404 rather than a database overflow (500)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure a Folio app."""
    instance_path = (test_config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.request_class = SpoolingRequest  # large uploads spool where their view says
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    if test_config is None:
        load_dotenv(Path(app.root_path) / ".env")
    app.config.update(load_settings(os.environ))
    if test_config is not None:
        app.config.update(test_config)
    _derive_config(app)
    security.check_startup(app)
    secure_instance(app)

    db.init_app(app)
    teardown.init_app(app)  # after db.init_app(): it must run first
    _check_database(app)
    sqlite.init_app(app)
    site_settings.init_app(app)
    if click.get_current_context(silent=True) is not None:
        # Loaded by the `flask` command: `flask db ...` needs Flask-Migrate.
        init_migrations(app)
    csrf.init_app(app)
    init_limiter(app)
    login_manager.init_app(app)
    security.init_app(app)
    signing.init_app(app)
    errors.init_app(app)
    hidden_characters.init_app(app)
    stylesheet.init_app(app)
    accent.init_app(app)
    cli.init_app(app)
    outbox.init_app(app)
    media_files.init_app(app)
    processing.init_app(app)
    import_runs.init_app(app)
    pictures.init_app(app)
    dates.init_app(app)
    site_text.init_app(app)
    site_images.init_app(app)

    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(articles_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(contact_bp, url_prefix="/contact")
    app.register_blueprint(media_bp, url_prefix="/media")
    app.register_blueprint(readers_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(subscriptions_bp)
    # After Folio's own blueprints: a plugin's cannot take their names.
    plugin_slots.init_app(app)
    plugin_loading.init_app(app)

    @app.get("/healthz")
    def healthz():
        """Liveness check (and the benchmark's trivial route): no database, no template."""
        return {"status": "ok"}

    app.jinja_env.globals.update(
        htmx_version=HTMX_VERSION, htmx_sri=HTMX_SRI, htmx_cdn_url=HTMX_CDN_URL
    )
    return app


def init_migrations(app: Flask) -> None:
    """Set up Flask-Migrate, for `flask db upgrade` and the other `flask db` commands.

    Only the command line needs it, and create_app() calls this when the
    `flask` command loads the app. A web worker never does: Flask-Migrate
    imports Alembic and Mako (and Pygments through it), memory every worker
    would carry for nothing. The import is here, not at the top, for that reason.
    """
    from flask_migrate import Migrate

    from cli.database import database_cli
    from cli.database import set_version_locations

    migrate = Migrate(app, db, directory=str(Path(app.root_path) / "migrations"))
    # Folio's revisions and each installed plugin's (a branch of its own).
    migrate.configure(lambda config: set_version_locations(app, config))
    # Flask-Migrate's `db` group, with `upgrade` applying Folio's and the
    # loaded plugins' heads.
    app.cli.add_command(database_cli, name="db")


def _derive_config(app: Flask) -> None:
    """Turn Folio's settings into the keys Flask and its extensions read."""
    config = app.config
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret(app.instance_path)
    url = config.get("SQLALCHEMY_DATABASE_URI") or config["DATABASE_URL"]
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "folio.db")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SystemExit(
            f"folio: FOLIO_DATABASE_URL is not a valid database URL: {url!r}"
        ) from None
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver Folio ships; plain postgresql:// means it too.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False
        )
    config["SQLALCHEMY_DATABASE_URI"] = url
    config["SITE_URL"] = _site_url(config)
    # A server connection can go stale (a restart, an idle timeout), so it is
    # pinged when taken from the pool; a SQLite file cannot, and the ping
    # would be one more statement on every request.
    config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        {"pool_pre_ping": not make_url(url).drivername.startswith("sqlite")},
    )
    config["WTF_CSRF_TIME_LIMIT"] = None
    # A staff session's cookie lasts as long as the session may (the server
    # also ends it sooner: blueprints/staff/sessions.py), and is sent again
    # only when it changes, not with every staff response.
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        days=config["STAFF_SESSION_MAX_DAYS"]
    )
    config["SESSION_REFRESH_EACH_REQUEST"] = False
    _derive_rate_limit_config(app)


def _derive_rate_limit_config(app: Flask) -> None:
    """Where the limiter counts, and what it raises when it cannot."""
    config = app.config
    uri = config.get("RATELIMIT_STORAGE_URI")
    if not uri:
        # One file all workers share: a limit holds however many there are.
        path = Path(app.instance_path) / limit_counters.FILE_NAME
        uri = f"{limit_counters.SCHEME}://{path}"
    elif uri == "memory://":
        # The same in-process counters, without a timer thread per request
        # (web.rate_limit.InlineExpiryMemoryStorage).
        uri = "folio-memory://"
    config["RATELIMIT_STORAGE_URI"] = uri
    # Counters that cannot be read raise limits' StorageError, which
    # web/errors.py answers 503: a limit is never skipped.
    config["RATELIMIT_STORAGE_OPTIONS"] = {
        "wrap_exceptions": True,
        **config.get("RATELIMIT_STORAGE_OPTIONS", {}),
    }
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)


# The site URL of development and tests when none is set: `make run`'s address.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"


def _site_url(config: Mapping[str, Any]) -> str:
    """The configured site URL, checked and without a trailing slash.

    Unset, it stays empty outside development and tests, where
    security.check_startup() refuses to start.
    """
    value = str(config.get("SITE_URL") or "").strip().rstrip("/")
    if not value:
        development = config.get("TESTING") or config["ENV"] == "development"
        return DEVELOPMENT_SITE_URL if development else ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SystemExit(
            f"folio: FOLIO_SITE_URL must be an absolute http(s) URL such as "
            f"https://blog.example.com, got {value!r}"
        )
    if parts.query or parts.fragment:
        raise SystemExit(
            f"folio: FOLIO_SITE_URL must not have a query or fragment: {value!r}"
        )
    return value


def _check_database(app: Flask) -> None:
    """Exit with one line if the database cannot be reached."""
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, ImportError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
            raise SystemExit(
                f"folio: cannot reach the database {url.render_as_string()}: {reason}"
            ) from None
        finally:
            db.engine.dispose()
