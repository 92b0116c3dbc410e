"""Count the SQL statements a block of code runs (for tests and bench/)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from models import db


class StatementLog(list):
    """The statements seen, in order; len() is the count."""

    @property
    def selects(self) -> list[str]:
        return [s for s in self if s.lstrip().upper().startswith("SELECT")]


@contextmanager
def count_statements(app: Flask) -> Iterator[StatementLog]:
    """Record every statement sent on app's engine while the block runs.

    Transaction control (BEGIN, COMMIT, SAVEPOINT) is not counted: it is not a
    query, and the drivers differ in whether they send it as a statement.
    """
    with app.app_context():
        engine = db.engine
    log = StatementLog()

    def _record(conn, cursor, statement, parameters, context, executemany) -> None:
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head not in {
            "BEGIN",
            "COMMIT",
            "ROLLBACK",
            "SAVEPOINT",
            "RELEASE",
            "PRAGMA",
        }:
            log.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _record)
