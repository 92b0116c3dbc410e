"""A second, empty, migrated database and an app on it (imports, round trips).

SQLite: a copy of the migrated template file. PostgreSQL: a schema of its
own, migrated for the test and dropped after it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app import create_app
from models import db
from tests.support.fixtures import _migrate
from tests.support.fixtures import base_config


@contextmanager
def empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty, unmigrated database: a new SQLite file, or a new
    PostgreSQL schema dropped afterwards (kind: "sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    import psycopg

    schema = f"folio_fresh_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(os.environ["FOLIO_TEST_DATABASE_URL"])
    url = url.set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _conninfo() -> str:
    """The PostgreSQL server the suite runs on, as psycopg's connection string."""
    plain = make_url(os.environ["FOLIO_TEST_DATABASE_URL"]).set(drivername="postgresql")
    return plain.render_as_string(hide_password=False)


@pytest.fixture
def make_second_app(database, tmp_path):
    """Build an app (extra configuration allowed) on a second empty database."""
    made: list = []
    schemas: list[str] = []

    def _make(**overrides):
        if database["kind"] == "sqlite":
            path = tmp_path / "second.db"
            shutil.copyfile(database["template"], path)
            url = f"sqlite:///{path}"
        else:
            import psycopg

            schema = f"folio_second_{os.getpid()}_{secrets.token_hex(3)}"
            with psycopg.connect(_conninfo(), autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            schemas.append(schema)
            address = make_url(os.environ["FOLIO_TEST_DATABASE_URL"])
            address = address.set(drivername="postgresql+psycopg")
            address = address.update_query_dict({"options": f"-csearch_path={schema}"})
            url = address.render_as_string(hide_password=False)
            _migrate(url)
        config = base_config(url)
        config["INSTANCE_PATH"] = str(tmp_path / "second-instance")
        config.update(overrides)
        flask_app = create_app(config)
        made.append(flask_app)
        return flask_app

    yield _make
    for flask_app in made:
        with flask_app.app_context():
            db.session.remove()
            db.engine.dispose()
    if schemas:
        import psycopg

        with psycopg.connect(_conninfo(), autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def second_app(make_second_app):
    """An app on a second empty database, with its own instance folder."""
    return make_second_app()
