"""The plugin's one table: approved comments per article per UTC day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models import db


class DiscussedActivity(db.Model):
    """How many approved comments an article received on one day (UTC)."""

    __tablename__ = "discussed_activity"
    __table_args__ = (
        # The rankings sum the last days of every article: read from the index.
        Index("ix_discussed_activity_day", "day", "article_id", "comments"),
    )

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    comments: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<DiscussedActivity {self.article_id} {self.day} {self.comments}>"
