"""New comments while a reader is on the page: what a poll answers.

The page carries the approved count it shows (comments/_news.html); a poll
compares it with the article's comment_count, read with the article in the
one query every comment fragment makes (posting.find_target), so polling
never touches the comments table and never the cached page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response

from blueprints.comments.records import ArticleRef
from blueprints.comments.section import CommentOrder
from models import MAX_ID
from web.http_caching import fingerprint


@dataclass(frozen=True)
class Arrivals:
    """How many approved comments arrived since the page was shown, and its order."""

    article: ArticleRef
    count: int
    order: CommentOrder

    def etag(self) -> str:
        """What the answer shows: the same for every reader on the same page."""
        a = self.article
        return fingerprint(["arrivals", a.id, a.slug, a.kind, self.count, self.order])


def clamp_count(raw: object, default: int) -> int:
    """A comment count from a query argument; anything odd means default."""
    try:
        count = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return count if 0 <= count <= MAX_ID else default


def shared_poll(response: Response, etag: str) -> Response:
    """Mark a poll's answer: any cache may keep it but must ask again each time
    (a poll that sees a stale answer would miss the news it polls for)."""
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.add("HX-Request")
    response.set_etag(etag)
    return response
