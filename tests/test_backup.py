"""`flask backup`: an online, checked copy of the live SQLite database."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import select

from models import ContactMessage
from models import db
from storage.transactions import write_transaction


@pytest.fixture
def sqlite_app(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
    return app


def _message(n: int) -> ContactMessage:
    return ContactMessage(name=f"Writer {n}", email="w@example.org", message=f"#{n}")


def test_backup_during_writes_holds_every_committed_row(sqlite_app, tmp_path):
    committed: list[int] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        with sqlite_app.app_context():
            n = 0
            try:
                while not stop.is_set():
                    row = _message(n)
                    with write_transaction():
                        db.session.add(row)
                    committed.append(row.id)
                    n += 1
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(committed) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = list(committed)
        assert len(before) >= 50
        target = tmp_path / "copy.db"
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        after_backup = len(committed)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not errors
    assert "integrity_check: ok" in result.output
    assert "contact_messages:" in result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {row[0] for row in copy.execute("SELECT id FROM contact_messages")}
    assert set(before) <= ids
    # A snapshot: rows committed after the backup ended cannot be in it.
    assert len(ids) <= after_backup
    assert f"contact_messages: {len(ids)} rows" in result.output
    assert not list(tmp_path.glob(".copy.db.partial-*"))


def test_backup_refuses_to_overwrite_without_force(sqlite_app, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("precious")
    runner = sqlite_app.test_cli_runner()
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert target.read_text() == "precious"
    forced = runner.invoke(args=["backup", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_refuses_the_live_file_and_missing_folder(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    with sqlite_app.app_context():
        live = db.engine.url.database
    same = runner.invoke(args=["backup", "--force", live])
    assert same.exit_code != 0 and "live database" in same.output
    missing = runner.invoke(args=["backup", str(tmp_path / "nope" / "copy.db")])
    assert missing.exit_code != 0 and "no such folder" in missing.output


def test_backup_restores_as_a_working_database(sqlite_app, make_app, tmp_path):
    with sqlite_app.app_context():
        with write_transaction():
            db.session.add(_message(1))
    target = tmp_path / "restored.db"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    restored = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with restored.app_context():
        names = db.session.scalars(select(ContactMessage.name)).all()
    assert names == ["Writer 1"]


def test_backup_on_postgresql_explains_pg_dump(app, tmp_path):
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://folio@db/folio"
    target = tmp_path / "copy.db"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "pg_restore" in result.output
    assert "postgresql://folio@db/folio" in result.output
    assert not target.exists()
