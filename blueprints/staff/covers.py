"""An article's cover image: set or cleared, its image list and caches following."""

from __future__ import annotations

from flask import abort

from blueprints.articles.publishing import set_cover
from models import Article
from models import Media
from models import MediaStatus
from models import db
from storage.transactions import write_transaction


def choose_cover(article_id: int, media_id: int | None) -> Article:
    """Make an image the article's cover (None: no cover); 404 when either is missing.

    updated_at moves, so every cached page showing the article is made again.
    """
    with write_transaction():
        article = db.get_or_404(Article, article_id)
        if media_id is not None:
            media = db.session.get(Media, media_id)
            if media is None or media.status == MediaStatus.FAILED:
                abort(404)
        set_cover(article, media_id)
    return article
