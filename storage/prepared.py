"""Core statements compiled once per dialect, run on the DB-API cursor when no one watches.

SQLAlchemy's ``Connection.execute()`` spends many times what SQLite needs to
run the small indexed statements of the two busiest paths (the anonymous
article page's version check and a comment post) in Python: events, parameter
and result objects, the compiled-cache lookup; see bench/README.md. A
``Prepared`` statement is compiled once per dialect; running it applies the
bind and result types SQLAlchemy would (the UTC datetimes, the enums).

When nothing observes the engine's statements, it hands the SQL to the
driver's cursor on a connection SQLAlchemy manages, inside whatever
transaction that connection is in. When something does (a
``before_cursor_execute`` or ``after_cursor_execute`` listener such as the
statement counter or ``SQLALCHEMY_RECORD_QUERIES``, or echo / INFO logging on
``sqlalchemy.engine``), it runs through ``Connection.exec_driver_sql()``, so
they see the statement with its execution context, as from ``execute()``.
Either way errors are SQLAlchemy's.

Only fixed statements belong here: no expanding ``IN``, no Python-side column
defaults (an INSERT must name every column it sets), nothing the ORM tracks.
The SQL is still SQLAlchemy's, so it is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL for one dialect, and how to convert values in and out."""

    sql: str
    # The parameters' names: in the order a positional driver (sqlite3's "?")
    # takes them as a list, or the keys of a named one's (psycopg's "%(name)s").
    order: tuple[str, ...]
    positional: bool
    fixed: dict[str, Any]
    binds: dict[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, values: Mapping[str, Any]) -> tuple | dict:
        merged = {**self.fixed, **values}
        for name, process in self.binds.items():
            merged[name] = process(merged[name])
        if self.positional:
            return tuple(merged[name] for name in self.order)
        return {name: merged[name] for name in self.order}

    def row(self, raw: tuple | None) -> tuple | None:
        if raw is None:
            return None
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


class Prepared:
    """One Core statement, compiled once per dialect, run on the DB-API cursor."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        # Python-side defaults and onupdates are filled in by SQLAlchemy's
        # execute(), which this bypasses: such a column would be stored NULL.
        prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
        if prefetch:
            names = ", ".join(column.name for column in prefetch)
            raise ValueError(f"set these columns explicitly: {names}")
        sql = str(compiled)
        if "POSTCOMPILE" in sql:
            raise ValueError("an expanding IN cannot be prepared; use OR of equalities")
        # Each parameter the SQL names, once (a positional driver may take one
        # twice, in the order positiontup gives).
        used = {name: bind for bind, name in compiled.bind_names.items()}
        binds = {}
        for name, bind in used.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds[name] = process
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in getattr(self.statement, "exported_columns", ())
        )
        # The values the statement carries itself (literals such as a status).
        fixed = {
            name: bind.effective_value
            for name, bind in used.items()
            if not bind.required
        }
        order = tuple(compiled.positiontup) if compiled.positional else tuple(used)
        return _Compiled(
            sql=sql,
            order=order,
            positional=compiled.positional,
            fixed=fixed,
            binds=binds,
            results=results,
        )

    def first(self, connection: Connection, values: Mapping[str, Any]) -> tuple | None:
        """The first row, with SQLAlchemy's result types applied, or None."""
        compiled = self._for(connection.dialect)
        parameters = compiled.parameters(values)
        if observed(connection):
            result = connection.exec_driver_sql(compiled.sql, parameters)
            return compiled.row(result.first())
        cursor = self._run(compiled.sql, parameters, connection)
        try:
            return compiled.row(cursor.fetchone())
        finally:
            cursor.close()

    @staticmethod
    def _run(sql: str, parameters: tuple | dict, connection: Connection):
        """Run on connection's DB-API connection; returns the driver's cursor."""
        dialect = connection.dialect
        dbapi_connection = connection.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql, parameters)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            # As Connection.execute() would: a lost connection leaves the
            # pool, and the driver's error becomes SQLAlchemy's (DataError,
            # OperationalError, ...), which errors.py turns into a 400 or 503.
            if dialect.is_disconnect(error, dbapi_connection, cursor):
                connection.invalidate(error)
            raise DBAPIError.instance(
                sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return cursor


_ENGINE_LOGGER = logging.getLogger("sqlalchemy.engine.Engine")


def observed(connection: Connection) -> bool:
    """True when a cursor-execute listener or SQL logging would see connection's statements."""
    # SQLAlchemy has no public "are there listeners" call; its event dispatcher
    # (the same one its own execute() consults) is true when one is attached.
    # tests/test_prepared.py guards this against upgrades.
    dispatch = connection.dispatch
    return bool(
        dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or connection.engine.echo
        or _ENGINE_LOGGER.isEnabledFor(logging.INFO)
    )
