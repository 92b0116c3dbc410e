"""The editor's image uploads: each file's row in #editor-uploads, as htmx swaps it in.

static/js/editor-media.js posts one file per request to the library's upload
view with `?row=<token>` in the URL (readable even when a body too large is
left unread); the answer is that row: the image with its alt text, or why it
was refused.
"""

from __future__ import annotations

import re

from flask import request
from werkzeug.wrappers import Response

from blueprints.media.library import Added
from web.htmx import render

ROW = "staff/_editor_upload.html"
_TOKEN = re.compile(r"[a-z0-9]{1,24}")


def editor_row() -> str | None:
    """The editor row this upload answers (`?row=`), or None for the library's form."""
    token = request.args.get("row", "")
    return token if _TOKEN.fullmatch(token) else None


def row_refused(
    token: str, problems: list[str], status: int, filename: str = ""
) -> Response:
    """The row saying why the file was refused; nothing was stored."""
    error = " ".join(problems)
    return render(ROW, ROW, status, token=token, error=error, filename=filename)


def row_uploaded(token: str, added: Added) -> Response:
    """The row of an uploaded image (or the same file, already in the library)."""
    return render(ROW, ROW, token=token, media=added.media, existing=added.existing)
