"""Rate-limit counters in a small SQLite file that every worker on the machine shares.

`folio-sqlite:///<absolute path>` selects it; the default is
`instance/ratelimits.sqlite` (app.py, _derive_rate_limit_config()). It is a
public limits `Storage` with the fixed-window strategy's calls, the strategy
Folio uses. The file is not the site's database, so counting never waits on the
site's write lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SCHEME = "folio-sqlite"
FILE_NAME = "ratelimits.sqlite"
FILE_MODE = 0o600
# A count is one short transaction; waiting longer than this means something
# else holds the file, and the request answers 503 (web/errors.py).
BUSY_TIMEOUT_SECONDS = 5.0
# How often each process deletes the rows of windows that have ended.
SWEEP_SECONDS = 60.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters ("
    " key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL"
    ") WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS counters_expires_at ON counters (expires_at)",
)
# One statement counts and answers: a window that has ended starts again.
_INCREMENT = (
    "INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires)"
    " ON CONFLICT (key) DO UPDATE SET"
    " count = CASE WHEN expires_at > :now THEN count + :amount ELSE :amount END,"
    " expires_at = CASE WHEN expires_at > :now THEN expires_at ELSE :expires END"
    " RETURNING count"
)
_LIVE = "SELECT count, expires_at FROM counters WHERE key = ? AND expires_at > ?"

# Connections a forked child inherited: closing one there could checkpoint or
# delete the parent's write-ahead log, so they are kept, unused, until exit.
_inherited: list[_Owned] = []


def counters_file(uri: str | None) -> Path | None:
    """The file a `folio-sqlite://` storage URI names, or None for other storages."""
    prefix = f"{SCHEME}://"
    if not uri or not uri.startswith(prefix):
        return None
    return Path(uri[len(prefix) :])


class SQLiteCounterStorage(Storage):
    """Fixed-window counters in a SQLite file, counted atomically across processes."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = counters_file(uri)
        if path is None or not path.is_absolute():
            raise ValueError(f"{SCHEME}:// needs an absolute path, got {uri!r}")
        self.path = path
        self._local = threading.local()
        self._next_sweep = 0.0
        _create(path)

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failed count raises (wrapped in limits' StorageError on request)."""
        return sqlite3.Error

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add amount to key's counter (a new window if it has none) and return it."""
        now = time.time()
        values = {"key": key, "amount": amount, "now": now, "expires": now + expiry}
        conn = self._connection()
        # One statement, committed on its own (autocommit): the write lock is
        # held for that statement alone, never across Python code that a busy
        # process could pause with the lock still taken. fetchall() runs it to
        # its end, which commits it.
        ((count,),) = conn.execute(_INCREMENT, values).fetchall()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            conn.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        """The counter of key's current window (0 when it has none)."""
        row = _one(self._connection().execute(_LIVE, (key, time.time())))
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        """When key's window ends, as a Unix time (now when it has none)."""
        now = time.time()
        row = _one(self._connection().execute(_LIVE, (key, now)))
        return row[1] if row else now

    def check(self) -> bool:
        """True when the file can be read."""
        try:
            _one(self._connection().execute("SELECT 1"))
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        with self._write() as conn:
            return conn.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        """Forget key's counter."""
        with self._write() as conn:
            conn.execute("DELETE FROM counters WHERE key = ?", (key,))

    def _write(self) -> _Write:
        return _Write(self._connection())

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened in this process."""
        owned = getattr(self._local, "owned", None)
        if owned is None or owned.pid != os.getpid():
            if owned is not None:
                _inherited.append(owned)
            owned = self._local.owned = _Owned(self.path)
        return owned.conn


def _one(cursor: sqlite3.Cursor) -> tuple | None:
    """The first row, with the statement run to its end.

    fetchone() would leave the statement open, and with it the connection's
    read transaction: the thread's next count would then find its snapshot
    stale and fail at once with "database is locked", without waiting.
    """
    rows = cursor.fetchall()
    return rows[0] if rows else None


class _Owned:
    """A thread's connection, closed when the thread (or the storage) is gone."""

    def __init__(self, path: Path) -> None:
        self.conn = _connect(path)
        self.pid = os.getpid()

    def __del__(self) -> None:
        self.conn.close()


class _Write:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an error) on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # some errors end it already
            self.conn.execute("ROLLBACK")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,  # transactions are begun by hand (_Write)
    )
    # Counters need not survive a power cut: no fsync per count.
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _create(path: Path) -> None:
    """Create the file 0600 (its -wal and -shm follow) with its table, in WAL mode."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    conn = _connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        for statement in _SCHEMA:
            conn.execute(statement)
    finally:
        # Closed at once: a gunicorn master must not hand an open one to workers.
        conn.close()
