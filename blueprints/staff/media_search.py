"""The media library's filters (search, article, size, month), read from the query string."""

from __future__ import annotations

import re
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from blueprints.staff.forms import clean_search
from models import MAX_ID
from models import Article
from models import Media
from models import MediaStatus
from models import db
from models import media_uses

# By pixel width (the widest size stored).
SIZES = {
    "small": ("Small (under 960 px)", 0, 960),
    "medium": ("Medium (960–1999 px)", 960, 2000),
    "large": ("Large (2000 px and wider)", 2000, None),
}
MONTH = re.compile(r"(\d{4})-(\d{2})")
MONTH_NAMES = (
    "January February March April May June July August September October "
    "November December"
).split()
MAX_ARTICLE_CHOICES = 300


@dataclass(frozen=True)
class MediaFilter:
    """What the library is narrowed to; empty values filter nothing."""

    q: str = ""
    article: int | None = None
    size: str = ""
    month: str = ""

    @classmethod
    def from_args(cls, args: MultiDict) -> MediaFilter:
        """The filter a query string asks for; values that make no sense are ignored."""
        article = args.get("article", type=int)
        size = args.get("size", "")
        month = args.get("month", "")
        return cls(
            q=clean_search(args.get("q")),
            article=article if article and 0 < article <= MAX_ID else None,
            size=size if size in SIZES else "",
            month=month if _month_range(month) else "",
        )

    @property
    def active(self) -> bool:
        return any(asdict(self).values())

    def args(self) -> dict[str, str | int]:
        """The non-empty values, for url_for() (pager links keep the filter)."""
        return {name: value for name, value in asdict(self).items() if value}

    def query(self, usable_only: bool = False) -> Select:
        """The images that pass, newest first (usable_only: not failed)."""
        query = select(Media)
        if usable_only:
            query = query.where(Media.status != MediaStatus.FAILED)
        if self.q:
            query = query.where(
                or_(
                    Media.filename.icontains(self.q, autoescape=True),
                    Media.alt.icontains(self.q, autoescape=True),
                    Media.caption.icontains(self.q, autoescape=True),
                )
            )
        if self.article:
            shown = select(media_uses.c.media_id).where(
                media_uses.c.article_id == self.article
            )
            query = query.where(Media.id.in_(shown))
        if self.size:
            _, low, high = SIZES[self.size]
            query = query.where(Media.width >= low)
            if high is not None:
                query = query.where(Media.width < high)
        if self.month:
            start, end = _month_range(self.month)
            query = query.where(Media.created_at >= start, Media.created_at < end)
        return query.order_by(Media.created_at.desc(), Media.id.desc())


def _month_range(value: str) -> tuple[datetime, datetime] | None:
    """The first moment of a YYYY-MM month and of the next, in UTC."""
    found = MONTH.fullmatch(value or "")
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not (1970 <= year <= 9998 and 1 <= month <= 12):
        return None
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def month_choices() -> list[tuple[str, str]]:
    """The months that have uploads, newest first: ("2026-03", "March 2026")."""
    created = Media.created_at
    if db.session.get_bind().dialect.name == "postgresql":
        # Months in UTC, whatever the session's time zone.
        created = func.timezone("UTC", created)
    year, month = extract("year", created), extract("month", created)
    rows = db.session.execute(
        select(year, month).distinct().order_by(year.desc(), month.desc())
    )
    return [
        (f"{int(y):04d}-{int(m):02d}", f"{MONTH_NAMES[int(m) - 1]} {int(y)}")
        for y, m in rows
    ]


def article_choices() -> list[tuple[int, str]]:
    """The articles that show a library image, by title: (id, title)."""
    showing = select(media_uses.c.article_id)
    rows = db.session.execute(
        select(Article.id, Article.title)
        .where(Article.id.in_(showing))
        .order_by(Article.title, Article.id)
        .limit(MAX_ARTICLE_CHOICES)
    )
    return [(article_id, title) for article_id, title in rows]
