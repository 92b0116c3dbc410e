"""Helpers for a plugin's own tests: an app with the plugin on a migrated
database, and staff clients. Part of the plugin interface (docs/plugins.md)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from models import Role
from models import User
from models import db

FOLIO_ROOT = Path(__file__).resolve().parents[1]


def plugin_app(
    tmp_path: Path,
    plugins: Iterable[str],
    database_url: str | None = None,
    **config: Any,
) -> Flask:
    """A testing app with these plugins on a database migrated as `flask db
    upgrade` would (Folio's head and theirs).

    The database is a new SQLite file under tmp_path unless database_url is given.
    CSRF is off unless config turns it on.
    """
    from flask_migrate import upgrade

    from app import create_app
    from app import init_migrations
    from cli.database import enabled_heads

    settings = {
        "TESTING": True,
        "ENV": "development",
        "SECRET_KEY": secrets.token_hex(16),
        "SITE_URL": "http://localhost",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'folio.db'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PLUGINS": list(plugins),
        **config,
    }
    app = create_app(settings)
    init_migrations(app)
    with app.app_context():
        for head in enabled_heads(app):
            upgrade(directory=str(FOLIO_ROOT / "migrations"), revision=head)
    return app


def sign_in(client: FlaskClient, user: User) -> None:
    """Start a staff session for user in the client, as signing in would."""
    from blueprints.staff.sessions import GENERATION_KEY
    from blueprints.staff.sessions import TOKEN_KEY
    from blueprints.staff.sessions import start_session

    with client.application.test_request_context():
        ticket = start_session(db.session.get(User, user.id))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session[TOKEN_KEY] = ticket.token
        session[GENERATION_KEY] = ticket.generation


def staff_client(app: Flask, role: Role | str = Role.ADMIN) -> FlaskClient:
    """A test client signed in as a new staff account with this role."""
    with app.app_context():
        user = User(
            email=f"{secrets.token_hex(4)}@example.com",
            display_name=f"Test {Role(role).value}",
            password_hash="!",  # no password signs in as this account
            role=Role(role),
        )
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        sign_in(client, user)
    return client
