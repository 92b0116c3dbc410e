"""A plugin's migrations: a branch of their own, upgraded with Folio's, dropped alone."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect
from sqlalchemy import text

from app import create_app
from app import init_migrations
from models import db
from tests.support.fixtures import base_config
from tests.support.plugin_doubles.gizmo import forget_table
from tests.support.second_database import empty_database

PG_URL = os.environ.get("FOLIO_TEST_DATABASE_URL")


@pytest.fixture
def gizmo(install_plugins) -> Iterator[None]:
    install_plugins(gizmo="tests.support.plugin_doubles.gizmo:plugin")
    yield
    forget_table()


def _tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def _versions(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(text("SELECT version_num FROM alembic_version")))


def _check_without_the_plugin(url: str) -> None:
    """Installed but not enabled: its table is not drift for this app."""
    app = create_app(base_config(url))
    init_migrations(app)
    result = app.test_cli_runner().invoke(args=["db", "check"])
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "kind",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not PG_URL, reason="FOLIO_TEST_DATABASE_URL is not set"
            ),
        ),
    ],
)
def test_plugin_branch_upgrades_checks_and_downgrades_alone(gizmo, tmp_path, kind):
    with empty_database(kind, tmp_path) as url:
        app = create_app({**base_config(url), "PLUGINS": ["gizmo"]})
        init_migrations(app)
        runner = app.test_cli_runner()
        try:
            result = runner.invoke(args=["db", "upgrade"])  # every head by default
            assert result.exit_code == 0, result.output
            upgraded = _tables(app)
            assert {"articles", "comments", "gizmo_things"} <= upgraded
            # 0016 is implied by the dependency, so the table holds the plugin head.
            assert "gizmo_0001" in _versions(app)
            result = runner.invoke(args=["db", "check"])
            assert result.exit_code == 0, result.output
            _check_without_the_plugin(url)
            result = runner.invoke(args=["db", "downgrade", "gizmo@base"])
            assert result.exit_code == 0, result.output
            assert _tables(app) == upgraded - {"gizmo_things"}
            [core_head] = _versions(app)
            assert not core_head.startswith("gizmo")
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_an_installed_plugin_gets_no_tables_until_enabled(gizmo, tmp_path):
    with empty_database("sqlite", tmp_path) as url:
        for plugins, expected in (([], False), (["gizmo"], True)):
            app = create_app({**base_config(url), "PLUGINS": plugins})
            init_migrations(app)
            result = app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            assert ("gizmo_things" in _tables(app)) is expected
            assert "articles" in _tables(app)
            with app.app_context():
                db.engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="FOLIO_TEST_DATABASE_URL is not set")
def test_an_import_moves_a_plugin_tables_id_sequence_past_its_rows(gizmo, tmp_path):
    from porting.json_import import reset_sequences

    with empty_database("postgresql", tmp_path) as url:
        app = create_app({**base_config(url), "PLUGINS": ["gizmo"]})
        init_migrations(app)
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        with app.app_context():
            try:
                db.session.execute(
                    text(
                        "INSERT INTO gizmo_things (id, name) VALUES (1, 'a'), (7, 'b')"
                    )
                )
                reset_sequences()
                new_id = db.session.scalar(
                    text("INSERT INTO gizmo_things (name) VALUES ('c') RETURNING id")
                )
                db.session.rollback()
            finally:
                db.session.remove()
                db.engine.dispose()
        assert new_id == 8
