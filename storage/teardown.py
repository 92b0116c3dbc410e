"""Each request's database session ends cleanly, even after a server restart cut it.

Flask-SQLAlchemy removes the session when the app context ends, rolling back
its open transaction. When PostgreSQL restarted after the response was made,
that rollback fails, and the error would reach gunicorn after the view
succeeded: a 500 for a page that was ready. Nothing is left to roll back (the
server ended the transaction with the connection), and the pool replaces the
connection on the next checkout.
"""

from __future__ import annotations

from flask import Flask
from flask import current_app
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError

from models import db
from storage.outages import retry_after


def end_session(exc: BaseException | None = None) -> None:
    """Remove the session; a connection lost to an outage is let go, not raised."""
    try:
        db.session.remove()
    except (OperationalError, InterfaceError) as error:
        if retry_after(error) is None:
            raise
        current_app.logger.warning("database connection lost at the end of a request")
        # The failed rollback invalidated the connection: this time it is let go.
        db.session.remove()


def init_app(app: Flask) -> None:
    """Run end_session before Flask-SQLAlchemy's own teardown (Flask runs them last first)."""
    app.teardown_appcontext(end_session)
