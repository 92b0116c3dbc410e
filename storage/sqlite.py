"""SQLite connection settings: pragmas on every connection, BEGIN IMMEDIATE for writes.

Writers also queue on a write gate (a file lock beside the database) before
asking SQLite for its write lock; see WriteGate.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

from flask import Flask
from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models import db

WRITE_OPTION = "folio_write"
GATE_EXTENSION = "folio_write_gate"
_GATE_HELD = "folio_write_gate_held"
# How often a writer waiting at the gate looks again: short, since the holder
# usually needs well under a millisecond more.
_POLL_FIRST, _POLL_LONGEST = 0.0001, 0.0005


class WriteGate:
    """One writer at a time across this app's processes, queued on a file lock.

    SQLite's busy handler makes a writer that finds its lock taken sleep in
    growing steps, however little the holder has left to do. Writers here
    first take an flock on ``<database>.write-gate`` (and a thread lock, since
    an flock belongs to the open file, which threads share), looking again
    often, so the next writer starts as soon as the previous one commits and
    BEGIN IMMEDIATE finds SQLite's lock free (docs/architecture.md). Processes
    that write without it (a backup, sqlite3) still meet busy_timeout. A
    killed worker's flock is released by the kernel.
    """

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        # Opened per process: a descriptor inherited through fork would be
        # the same open file in every worker, and flock would not keep them apart.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> bool:
        """Wait up to the timeout for the gate; False when it stayed taken."""
        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            return False
        fd = self._file()
        delay = _POLL_FIRST
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._threads.release()
                    return False
                time.sleep(delay)
                delay = min(delay * 2, _POLL_LONGEST)

    def release(self) -> None:
        fcntl.flock(self._file(), fcntl.LOCK_UN)
        self._threads.release()


def init_app(app: Flask) -> None:
    """Install the connection listeners on the app's engine when it is SQLite."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    synchronous = app.config["SQLITE_SYNCHRONOUS"]
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    # SQLite's default page cache is small for a search over many articles,
    # and every page read again is a system call. Negative: KiB, not pages.
    cache_kib = max(1, int(app.config["SQLITE_CACHE_MB"])) * 1024
    # With several workers, every commit by one makes the others drop their
    # whole page cache (SQLite cannot tell which pages changed); through a
    # memory map the pages read again come from the OS's shared file cache
    # without a system call each.
    mmap_bytes = max(0, int(app.config["SQLITE_MMAP_MB"])) * 1024 * 1024
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        app.extensions[GATE_EXTENSION] = WriteGate(
            f"{database}.write-gate", busy_ms / 1000
        )

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
        cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
        cursor.execute(f"PRAGMA mmap_size={mmap_bytes}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # A deferred transaction that later writes can fail at once with
        # "database is locked" (busy_timeout does not apply to a lock upgrade);
        # writers take the lock up front and queue behind busy_timeout instead.
        write = conn.get_execution_options().get(WRITE_OPTION)
        statement = "BEGIN IMMEDIATE" if write else "BEGIN"
        # Sent on the driver's connection: exec_driver_sql() costs far more
        # Python than SQLite needs for it, at the start of every request that
        # uses the session.
        try:
            conn.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as error:
            # SQLAlchemy's error, as exec_driver_sql() raised it: a lock that
            # stayed busy is an OperationalError, which errors.py answers 503.
            raise DBAPIError.instance(statement, (), error, sqlite3.Error) from error


def begin_write() -> None:
    """Start the session's transaction as a write (BEGIN IMMEDIATE on SQLite).

    Internal to storage/: code elsewhere writes through
    storage.transactions.write_transaction(), which calls this. A read transaction
    already open is ended first, so the write lock is never taken by upgrade.
    On SQLite the writer first passes the write gate, which it leaves when the
    transaction ends (commit, rollback or the session's close).
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            # Committing them here would write outside the gate and the block.
            raise RuntimeError("changes made before write_transaction() began")
        session.commit()
    gate = current_app.extensions.get(GATE_EXTENSION)
    if gate is not None and not session.info.get(_GATE_HELD):
        if not gate.acquire():
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        session.info[_GATE_HELD] = gate
    try:
        session.connection(execution_options={WRITE_OPTION: True})
    except BaseException:
        # BEGIN IMMEDIATE timed out (or worse): whether or not a transaction
        # got started, the gate must not stay shut.
        session.rollback()
        leave_gate(session)
        raise


def leave_gate(session: Session) -> None:
    """Open the write gate if this session holds it (a no-op otherwise)."""
    gate = session.info.pop(_GATE_HELD, None)
    if gate is not None:
        gate.release()


@event.listens_for(Session, "after_transaction_end")
def _on_transaction_end(session: Session, transaction) -> None:
    """Open the write gate once the session's outermost transaction is over."""
    if transaction.parent is None:
        leave_gate(session)


def is_locked_error(exc: BaseException) -> bool:
    """True when exc is SQLite's lock timeout (the write lock stayed busy)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text
