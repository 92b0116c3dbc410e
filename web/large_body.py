"""Views that take a request body larger than MAX_CONTENT_LENGTH: image uploads.

The global limit stays small (1 MiB): every form but an upload is text. An
upload view raises the limit for its own request before the body is read.
Flask-WTF's CSRF check runs before every view and reads the form, with the
global limit, so such a view is exempt from that hook (`@large_body`) and
`read_large_body()` checks the token itself, once the limit is raised.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from extensions import csrf


def large_body(view: Callable) -> Callable:
    """Mark a view that calls read_large_body() (its CSRF token is checked there)."""
    return csrf.exempt(view)


def read_large_body(limit: int) -> bool:
    """Read this request's form within limit bytes and check its CSRF token.

    False when the body is larger (it is not kept); a missing or wrong token
    raises CSRFError (400), as the check before other views does.
    """
    request.max_content_length = max(limit, current_app.config["MAX_CONTENT_LENGTH"])
    try:
        request.form  # noqa: B018 (parsed now, within the raised limit)
    except RequestEntityTooLarge:
        return False
    config = current_app.config
    if config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]:
        csrf.protect()
    return True
