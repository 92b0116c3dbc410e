"""The instance folder and the SQLite files: readable by Folio's user alone."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from app import create_app
from tests.support.factories import make_article
from tests.support.fixtures import base_config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_instance_folder_and_database_are_private(tmp_path):
    instance = tmp_path / "instance"
    database = tmp_path / "data" / "folio.db"
    database.parent.mkdir()
    old = os.umask(0o022)
    try:
        app = create_app(
            {**base_config(f"sqlite:///{database}"), "INSTANCE_PATH": str(instance)}
        )
    finally:
        os.umask(old)
    assert _mode(instance) == 0o700
    assert _mode(database) == 0o600
    # SQLite gives its write-ahead log and shared memory the database's mode.
    with app.app_context(), sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        for suffix in ("-wal", "-shm"):
            assert _mode(database.with_name(database.name + suffix)) == 0o600


def test_wide_modes_are_narrowed_at_start_up(make_app, database, tmp_path, caplog):
    if database["kind"] != "sqlite":
        pytest.skip("SQLite files only")
    app = make_app()
    with app.app_context():
        make_article(slug="hello")
    instance = Path(app.instance_path)
    files = [Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))]
    instance.chmod(0o755)
    for path in files:
        path.chmod(0o644)
    make_app()
    assert _mode(instance) == 0o700
    assert all(_mode(path) == 0o600 for path in files)
    assert "narrowed to 600" in caplog.text


def test_rate_limit_counters_file_is_private_and_narrowed(make_app, caplog):
    """The counters name sign-in emails and client addresses (storage/limit_counters.py)."""
    app = make_app(RATELIMIT_STORAGE_URI=None, RATELIMIT_ENABLED=True)
    counters = Path(app.instance_path) / "ratelimits.sqlite"
    assert _mode(counters) == 0o600
    app.test_client().post("/contact/", data={})  # counted: the -wal and -shm exist
    for suffix in ("", "-wal", "-shm"):
        path = counters.with_name(counters.name + suffix)
        assert _mode(path) == 0o600, path
        path.chmod(0o644)
    make_app(RATELIMIT_STORAGE_URI=None)
    assert _mode(counters) == 0o600
    assert f"{counters} was mode 644; narrowed to 600" in caplog.text
