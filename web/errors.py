"""Error pages in the site's layout, and small fragments for htmx requests."""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import current_app
from flask import make_response
from flask import render_template
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from sqlalchemy.exc import DataError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import SecurityError

from models import db
from storage.media_files import MediaStoreError
from storage.outages import retry_after
from web.htmx import wants_fragment
from web.redirects import redirect_for_missing_page

MESSAGES = {
    400: (
        "Bad request",
        "The request could not be understood. Check what you sent and try again.",
    ),
    403: ("Forbidden", "You do not have permission to do that."),
    404: (
        "Page not found",
        "There is nothing at this address. It may have moved or never existed.",
    ),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: (
        "Too large",
        "What you sent is larger than this site accepts (1 MiB). Shorten it and try again.",
    ),
    422: ("Check your input", "Some of what you sent was not valid."),
    429: (
        "Too many requests",
        "You are doing that too often. Wait a minute, then try again.",
    ),
    500: (
        "Something went wrong",
        "The error has been logged. Please try again in a moment.",
    ),
    503: (
        "Busy",
        "The site is busy right now and nothing was saved. Please try again in a few seconds.",
    ),
}


# Retry-After when the image store cannot be reached: long enough for a
# provider's blip or a restarted MinIO, short enough for an editor waiting.
MEDIA_STORE_RETRY_AFTER = 10


def error_response(status: int, message: str | None = None) -> Response:
    """Render the error page, or for htmx a fragment swapped into the alert region."""
    title, default = MESSAGES.get(
        status, MESSAGES[500] if status >= 500 else MESSAGES[400]
    )
    # The server's own faults (a database outage among them) show the default
    # links rather than read the menus.
    context = {
        "status": status,
        "title": title,
        "message": message or default,
        "plain_nav": status >= 500,
    }
    if wants_fragment():
        response = make_response(
            render_template("errors/_error.html", **context), status
        )
        # Error fragments land in the page's aria-live alert region, whatever
        # element made the request.
        response.headers["HX-Retarget"] = "#alerts"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = make_response(
            render_template("errors/error.html", **context), status
        )
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 404:
        moved = _redirected()
        if moved is not None:
            return moved
    message = None
    if status == 429:
        message = (
            "You are doing that too often. Wait a minute, then try again "
            f"(limit: {exc.description})."
        )
    # A limit given on_breach (the forgot-password form) brings its own page.
    own = getattr(exc, "response", None) if status == 429 else None
    response = own if own is not None else error_response(status, message)
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _redirected() -> Response | None:
    """An old address's 301 (web/redirects.py) in place of a 404, if it has one."""
    try:
        return redirect_for_missing_page()
    except SQLAlchemyError:
        # The database is down (or not migrated yet): the 404 it would have
        # been is still true.
        _rollback()
        return None


def _untrusted_host(exc: SecurityError) -> Response:
    # No URL adapter exists for an untrusted host, so no page can be built.
    return Response("Bad request: unknown host.\n", 400, mimetype="text/plain")


def _csrf_error(exc: CSRFError) -> Response:
    return error_response(
        400,
        "This form has expired or was sent from elsewhere, so nothing was saved. "
        "Reload the page and try again.",
    )


def _database_error(exc: OperationalError | InterfaceError) -> Response:
    _rollback()
    seconds = retry_after(exc)
    if seconds is None:
        current_app.logger.exception("database error")
        return error_response(500)
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
    current_app.logger.warning("database unavailable (%s): answered 503", reason)
    return _try_again_in(seconds)


def _try_again_in(seconds: int) -> Response:
    """503 with Retry-After: nothing was saved, and the fault should pass."""
    response = error_response(503)
    response.headers["Retry-After"] = str(seconds)
    return response


def _rollback() -> None:
    """Roll the session back; on a dropped connection that can fail in turn."""
    try:
        db.session.rollback()
    except (OperationalError, InterfaceError):
        # The connection is gone: the pool replaces it on the next checkout.
        db.session.close()


def _rate_limit_storage_error(exc: StorageError) -> Response:
    # The counters could not be read or written (their SQLite file stayed
    # locked, Redis is down): refuse rather than skip the limit.
    _rollback()
    current_app.logger.warning("rate-limit counters unavailable: %s", exc)
    return _try_again_in(2)


def _media_store_error(exc: MediaStoreError) -> Response:
    # The image store could not be read or written (S3 unreachable, a full
    # disk): the request stored nothing in the database, and the fault passes.
    _rollback()
    current_app.logger.warning("media store unavailable: %s", exc)
    return _try_again_in(MEDIA_STORE_RETRY_AFTER)


def _data_error(exc: DataError) -> Response:
    # The database refused a value the views let through: a NUL character
    # (PostgreSQL text cannot hold one), a number out of range. That is bad
    # input, not a fault: the transaction is rolled back and nothing is saved.
    _rollback()
    current_app.logger.warning("database refused a value: %s", exc.orig)
    return error_response(
        400,
        "Something in what you sent cannot be stored (for example a NUL "
        "character), so nothing was saved. Remove it and try again.",
    )


def _server_error(exc: Exception) -> Response:
    # Flask has already logged the original exception; undo its half-done work.
    _rollback()
    return error_response(500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(InterfaceError, _database_error)
    app.register_error_handler(StorageError, _rate_limit_storage_error)
    app.register_error_handler(MediaStoreError, _media_store_error)
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(500, _server_error)
