"""SQLite under concurrent writers: queue on the lock, or 503 and nothing saved."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import ContactMessage
from models import db
from storage.transactions import write_transaction


def _sqlite_file(app: Flask) -> str:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        return db.engine.url.database


def _add_write_route(app: Flask) -> None:
    """A test-only view that writes one row the way Folio's views do."""

    def write():
        with write_transaction():
            db.session.add(
                ContactMessage(name="Reader", email="r@example.org", message="hi")
            )
        return "saved"

    app.add_url_rule("/_test/write", "test_write", write, methods=["POST"])


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ContactMessage.id)))


def test_concurrent_writers_queue_and_never_see_locked(make_app):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=10_000)
    _sqlite_file(app)
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def worker(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                for i in range(per_thread):
                    # A read first, as a view would: write_transaction() must
                    # still take the lock up front rather than upgrade.
                    db.session.scalar(select(func.count(ContactMessage.id)))
                    with write_transaction():
                        db.session.add(
                            ContactMessage(
                                name=f"T{n}", email="t@example.org", message=str(i)
                            )
                        )
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not errors, errors[:3]
    assert _count(app) == threads * per_thread


def test_concurrent_requests_all_saved(make_app):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=10_000)
    _sqlite_file(app)
    _add_write_route(app)
    statuses: list[int] = []
    lock = threading.Lock()

    def poster() -> None:
        client = app.test_client()
        for _ in range(10):
            status = client.post("/_test/write").status_code
            with lock:
                statuses.append(status)

    pool = [threading.Thread(target=poster) for _ in range(6)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert statuses == [200] * 60
    assert _count(app) == 60


@pytest.mark.parametrize("htmx", [False, True])
def test_lock_held_past_busy_timeout_is_503_and_no_row(make_app, htmx_headers, htmx):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=150)
    path = _sqlite_file(app)
    _add_write_route(app)
    client = app.test_client()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = client.post("/_test/write", headers=htmx_headers if htmx else {})
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert b"nothing was saved" in response.data
    assert b"database is locked" not in response.data
    if htmx:
        assert response.data.lstrip().startswith(b'<div class="alert')
        assert response.headers["HX-Retarget"] == "#alerts"
    else:
        assert b"<!doctype html>" in response.data
    assert _count(app) == 0
    # Once the lock is free the same request succeeds, on the same worker.
    assert client.post("/_test/write").status_code == 200
    assert _count(app) == 1


def test_write_waits_for_a_short_lock(make_app):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=5000)
    path = _sqlite_file(app)
    _add_write_route(app)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.5, holder.rollback)
    timer.start()
    try:
        response = app.test_client().post("/_test/write")
    finally:
        timer.join()
        holder.close()
    assert response.status_code == 200
    assert _count(app) == 1


def _process_writer(database_url: str, instance: str, n: int, rows: int) -> None:
    """Run in a child process: write rows through a whole app of its own."""
    from app import create_app
    from tests.support.fixtures import base_config

    config = base_config(database_url)
    config.update(INSTANCE_PATH=instance, SQLITE_BUSY_TIMEOUT_MS=10_000)
    app = create_app(config)
    with app.app_context():
        for i in range(rows):
            with write_transaction():
                db.session.add(
                    ContactMessage(name=f"P{n}", email="p@example.org", message=str(i))
                )


def test_concurrent_processes_write_without_locked_errors(
    make_app, database_url, tmp_path
):
    import multiprocessing

    app = make_app()
    _sqlite_file(app)
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=_process_writer,
            args=(database_url, str(tmp_path / "instance"), n, 20),
        )
        for n in range(3)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert _count(app) == 60


def _messages(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(ContactMessage.message)))


def _add(message: str) -> None:
    db.session.add(ContactMessage(name="W", email="w@example.org", message=message))


def test_write_transaction_commits_at_the_end_of_the_block(app):
    with app.app_context():
        with write_transaction():
            _add("kept")
        assert not db.session().in_transaction()
    assert _messages(app) == ["kept"]


def test_write_transaction_rolls_back_on_an_exception(app):
    with app.app_context():
        with pytest.raises(LookupError), write_transaction():
            _add("lost")
            db.session.flush()
            raise LookupError
    assert _messages(app) == []


def test_write_transaction_rollback_then_return_commits_nothing(app):
    def refuse() -> str:
        with write_transaction() as transaction:
            _add("lost")
            db.session.flush()
            transaction.rollback()
            # A read after giving up (rendering an error) is not committed
            # as part of the write.
            db.session.scalar(select(func.count(ContactMessage.id)))
            _add("also lost")
            return "refused"

    with app.app_context():
        assert refuse() == "refused"
        db.session.rollback()
    assert _messages(app) == []


def test_write_transaction_ends_an_open_read_first(app):
    with app.app_context():
        db.session.scalar(select(func.count(ContactMessage.id)))
        assert db.session().in_transaction()
        with write_transaction():
            _add("after a read")
    assert _messages(app) == ["after a read"]


def test_write_transaction_refuses_changes_made_before_it(app):
    with app.app_context():
        db.session.scalar(select(func.count(ContactMessage.id)))
        _add("made outside the block")
        with pytest.raises(RuntimeError), write_transaction():
            pass
        db.session.rollback()
    assert _messages(app) == []


def test_write_transaction_refuses_nesting(app):
    with app.app_context():
        with write_transaction(), pytest.raises(RuntimeError):
            with write_transaction():
                pass
        with write_transaction():
            _add("the seam works again")
    assert _messages(app) == ["the seam works again"]


def test_write_transaction_lock_timeout_is_the_error_answered_503(make_app):
    from sqlalchemy.exc import OperationalError

    from storage.sqlite import is_locked_error

    app = make_app(SQLITE_BUSY_TIMEOUT_MS=100)
    path = _sqlite_file(app)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with app.app_context():
            with pytest.raises(OperationalError) as caught, write_transaction():
                _add("never")
            assert is_locked_error(caught.value)
    finally:
        holder.rollback()
        holder.close()
    # Neither the gate nor the nesting guard stayed shut.
    with app.app_context():
        with write_transaction():
            _add("later")
    assert _messages(app) == ["later"]


def test_no_code_outside_storage_begins_writes_by_hand():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for folder in ("blueprints", "mail", "web", "cli")
        for path in (root / folder).rglob("*.py")
        if "begin_write" in path.read_text() or "GATE_EXTENSION" in path.read_text()
    ]
    assert offenders == []
