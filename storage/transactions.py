"""The one way to write: ``with write_transaction(): ...``.

Entering ends any read transaction the session has open, passes the SQLite
write gate and begins the write (BEGIN IMMEDIATE on SQLite, a plain BEGIN on
PostgreSQL). Leaving the block normally commits; an exception rolls back and
propagates. Either way the gate is left. When the lock stays busy past the
timeout, entering raises SQLAlchemy's OperationalError ("database is locked"),
which web/errors.py answers with a 503 and Retry-After.

Read, validate and hash passwords before entering: everything inside the block
holds up every other writer. A block that finds, under the lock, that it must
not write (a duplicate, a state that changed) calls ``transaction.rollback()``
and may then return: nothing it did is committed, and the gate is already
open while it renders its answer. (A helper that calls ``db.session.rollback()``
does the same: only the transaction the block began is ever committed.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from models import db
from storage.sqlite import begin_write
from storage.sqlite import leave_gate

_OPEN = "folio_write_transaction_open"


class WriteTransaction:
    """The handle a write block gets: it can give the write up."""

    def __init__(self) -> None:
        self.rolled_back = False

    def rollback(self) -> None:
        """Undo the block's writes now and leave the gate; nothing is committed."""
        self.rolled_back = True
        db.session.rollback()


@contextmanager
def write_transaction() -> Iterator[WriteTransaction]:
    """Run the block as one write transaction: commit on success, else roll back."""
    session = db.session()
    if session.info.get(_OPEN):
        # begin_write() would commit the outer block's work half-way.
        raise RuntimeError("write_transaction() blocks cannot be nested")
    session.info[_OPEN] = True
    try:
        begin_write()
        began = session.get_transaction()
        transaction = WriteTransaction()
        try:
            yield transaction
        except BaseException:
            session.rollback()
            raise
        # A block that rolled back (or committed) itself has nothing left to
        # commit; a read it made afterwards is the request's, not ours.
        if not transaction.rolled_back and session.get_transaction() is began:
            try:
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.info.pop(_OPEN, None)
        leave_gate(session)
