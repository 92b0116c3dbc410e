"""SQLite connection settings: pragmas on every connection, BEGIN IMMEDIATE for writes."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from models import db

WRITE_OPTION = "folio_write"
SINGLE_READ_OPTION = "folio_single_read"


def init_app(app: Flask) -> None:
    """Install the connection listeners on the app's engine when it is SQLite."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    synchronous = app.config["SQLITE_SYNCHRONOUS"]
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own
        # implicit BEGIN is always DEFERRED and cannot be made IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # A deferred transaction that later writes can fail at once with
        # "database is locked" (busy_timeout does not apply to a lock upgrade);
        # writers take the lock up front and queue behind busy_timeout instead.
        options = conn.get_execution_options()
        if options.get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif options.get(SINGLE_READ_OPTION):
            # In SQLite's autocommit mode one statement is its own read
            # transaction (one snapshot); BEGIN and the ROLLBACK after it
            # would only add cost.
            return
        else:
            conn.exec_driver_sql("BEGIN")


def begin_write() -> None:
    """Start the session's transaction as a write (BEGIN IMMEDIATE on SQLite).

    Call before the first query of a request that will write. A read transaction
    already open is ended first, so the write lock is never taken by upgrade.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})


def is_locked_error(exc: BaseException) -> bool:
    """True when exc is SQLite's lock timeout (the write lock stayed busy)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text
