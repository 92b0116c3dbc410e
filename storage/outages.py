"""Database faults that pass: which errors mean "try again soon", and how soon.

A locked SQLite file, a full disk, a PostgreSQL server restarting or a
connection it dropped are not bugs in a request: the request changed nothing
(its transaction is rolled back), and the same request will work once the
fault is over. web/errors.py answers them 503 with Retry-After and the site's
error page; anything else stays a 500.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from storage.sqlite import is_locked_error

# Retry-After, in seconds, for each kind of outage.
LOCKED = 2
CONNECTION_LOST = 5
OUT_OF_SPACE = 60

# PostgreSQL SQLSTATEs (Appendix A of its manual) that mean the server cannot
# serve now: class 08 connection exception, class 53 insufficient resources,
# 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now.
_RESTARTING = frozenset({"57P01", "57P02", "57P03"})
_DISK_FULL = "53100"
# What libpq says when the server cannot be reached or went away.
_UNREACHABLE = (
    "connection failed",
    "connection refused",
    "server closed the connection",
    "connection is lost",
    "connection timeout expired",
    "could not receive data",
    "could not send data",
    "consuming input failed",
    "terminating connection",
    "the database system is",
)


def retry_after(exc: DBAPIError) -> int | None:
    """Seconds to wait before trying again, or None when exc is not an outage."""
    if is_locked_error(exc):
        return LOCKED
    if exc.connection_invalidated:
        return CONNECTION_LOST
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)  # psycopg's; sqlite3 has none
    if sqlstate == _DISK_FULL:
        return OUT_OF_SPACE
    if sqlstate is not None:
        if sqlstate in _RESTARTING or sqlstate[:2] in ("08", "53"):
            return CONNECTION_LOST
        return None
    text = str(orig).lower()
    if "database or disk is full" in text or "no space left on device" in text:
        return OUT_OF_SPACE
    # psycopg gives no SQLSTATE when it could not reach the server at all
    # (refused, reset, closed unexpectedly): the server is down or restarting.
    # Only those messages: psycopg's other errors without one (a closed cursor,
    # too many parameters) are bugs, and stay 500s with their traceback.
    if type(orig).__name__ == "OperationalError" and any(
        sign in text for sign in _UNREACHABLE
    ):
        return CONNECTION_LOST
    return None
