"""The editor's image uploads: each file's row in #editor-uploads, as htmx swaps it in.

static/js/editor-media.js posts one file per request to the library's upload
view with `?row=<token>` in the URL (readable even when a body too large is
left unread); the answer is that row: the image with its alt text, or why it
was refused.
"""

from __future__ import annotations

import re

from flask import abort
from flask import redirect
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from blueprints.media.library import Added
from blueprints.staff.access import ARTICLES
from blueprints.staff.access import role_required
from blueprints.staff.views import bp
from models import Media
from models import db
from web.htmx import render
from web.htmx import wants_fragment

ROW = "staff/_editor_upload.html"
_TOKEN = re.compile(r"[a-z0-9]{1,24}")
# A row whose sizes are being made asks again every second, for a minute.
POLL_TRIES = 60


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
    return render(
        ROW, ROW, token=token, media=added.media, existing=added.existing, tries=0
    )


@bp.get("/media/<int:media_id>/row")
@role_required(ARTICLES)
def media_row(media_id: int):
    """An upload's row again, asked for by htmx while its sizes are being made."""
    if not wants_fragment():
        return redirect(url_for("staff.media_detail", media_id=media_id))
    token = editor_row()
    if token is None:
        abort(404)
    media = db.get_or_404(Media, media_id)
    tries = min(request.args.get("tries", 0, type=int), POLL_TRIES) + 1
    return render(ROW, ROW, token=token, media=media, tries=tries, poll=POLL_TRIES)
