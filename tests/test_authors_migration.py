"""Migration 0011 gives every existing account a unique ASCII slug, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import make_url
from sqlalchemy import text

from app import create_app
from app import init_migrations
from models import db
from tests.support.fixtures import base_config

NAMES = ["Ada Lovelace", "Ada Lovelace", "Zoë Ångström", "", "Feed", "北京", "Ada"]
SLUGS = [
    "ada-lovelace",
    "ada-lovelace-2",
    "zoe-angstrom",
    "author",
    "feed-author",
    "bei-jing",
    "ada",
]


@pytest.fixture
def empty_url(database, tmp_path):
    """A database of its own, not yet migrated: a file, or a fresh PostgreSQL schema."""
    if database["kind"] == "sqlite":
        yield f"sqlite:///{tmp_path / 'authors.db'}"
        return
    import psycopg

    schema = f"folio_mig_{secrets.token_hex(4)}"
    url = make_url(database["url"])
    plain = url.set(drivername="postgresql", query={})
    conninfo = plain.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url.update_query_dict(
            {"options": f"-csearch_path={schema}"}
        ).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_existing_accounts_get_slugs_and_the_fields_go_back(empty_url):
    app = create_app(base_config(empty_url))
    init_migrations(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade", "0008"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for n, name in enumerate(NAMES):
            db.session.execute(
                text(
                    "INSERT INTO users (email, display_name, password_hash, role,"
                    " is_active, created_at, session_generation) VALUES"
                    " (:email, :name, 'x', 'editor', true, '2026-11-01', 0)"
                ),
                {"email": f"u{n}@example.com", "name": name},
            )
        db.session.execute(
            text(
                "INSERT INTO articles (slug, title, summary, body, body_html,"
                " reading_minutes, status, comments_open, comment_count,"
                " comments_version, created_at, updated_at) VALUES ('kept', 'Kept',"
                " '', 'x', '<p>x</p>', 1, 'published', true, 0, 0, '2026-11-01',"
                " '2026-11-01')"
            )
        )
        db.session.commit()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(
            text("SELECT slug, bio, website, updated_at FROM users ORDER BY id")
        ).all()
        assert [row.slug for row in rows] == SLUGS
        assert all(row.bio == "" and row.website == "" for row in rows)
        assert all(row.updated_at is not None for row in rows)
        article = db.session.execute(
            text("SELECT meta_title, canonical_url, noindex FROM articles")
        ).one()
        assert tuple(article) == ("", "", False)
        db.session.rollback()
    result = runner.invoke(args=["db", "downgrade", "0008"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM users")) == len(NAMES)
        db.session.rollback()
        db.engine.dispose()
