"""Serving image files: /media/<key> kept a year, /media/<id> to the current file."""

from __future__ import annotations

import re

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import request
from flask import send_file
from flask_login import current_user
from sqlalchemy import select

from blueprints.media.pictures import Picture
from blueprints.media.variants import CONTENT_TYPE
from models import Article
from models import Media
from models import db
from models import media_uses
from storage.media_files import media_store

bp = Blueprint("media", __name__)

# Only the sizes Folio made are served: never an upload waiting to be
# processed, never any other name.
SERVED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}-[0-9]{1,5}\.(webp|jpg|png|gif)")
YEAR = 365 * 24 * 3600


@bp.get("/<path:key>")
def file(key: str):
    """One stored image file, immutable (its name holds its content's hash)."""
    found = SERVED.fullmatch(key)
    if found is None:
        abort(404)
    content_type = CONTENT_TYPE[found.group(1)]
    store = media_store()
    path = store.local_path(key)
    if path is not None:
        try:
            response = send_file(
                path, mimetype=content_type, etag=True, conditional=True
            )
        except FileNotFoundError:
            abort(404)
    else:
        data = store.get(key)
        if data is None:
            abort(404)
        response = Response(data, mimetype=content_type)
        response.set_etag(key.rsplit("/", 1)[-1])
        response.make_conditional(request)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    # Public files that feeds and other sites may show (enclosures, srcset).
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/<int:media_id>")
def current(media_id: int):
    """The image's current file, for a link kept from before it was replaced."""
    media = db.get_or_404(Media, media_id)
    if not current_user.is_authenticated and not _shown_to_readers(media_id):
        abort(404)  # ids count up: no browsing drafts' images by number
    picture = Picture.of(media)
    size = picture.largest
    if not picture.ready or size is None:
        abort(404)
    response = redirect(picture.url(size.width, picture.format), 302)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _shown_to_readers(media_id: int) -> bool:
    """True when an article readers can see shows the image."""
    showing = select(media_uses.c.article_id).where(media_uses.c.media_id == media_id)
    return (
        db.session.scalar(
            select(Article.id)
            .where(Article.id.in_(showing), Article.visible())
            .limit(1)
        )
        is not None
    )
