"""Counting approved comments per day, and reading the rankings back.

Writes are single statements that filter on the comments table itself, so a
pingback or trackback (which StoredComment does not describe) never counts,
and a recount gives exactly what the receivers would have kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Date
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import joinedload

from folio_discussed.models import DiscussedActivity
from models import Article
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import User
from models import db

TOP = 20

activity = DiscussedActivity.__table__


@dataclass(frozen=True)
class Ranked:
    """An article and its approved comments in the windows asked for."""

    article: Article
    comments: int
    week: int = 0


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of a moment."""
    return moment.astimezone(UTC).date()


def first_day(days: int) -> date:
    """The first day of a window of ``days`` days ending today (UTC)."""
    return datetime.now(UTC).date() - timedelta(days=max(days, 1) - 1)


def _day_of(column: Any) -> Any:
    """SQL for the UTC day of a stored timestamp."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    # SQLite keeps UTC text ("2026-12-06 13:19:37.123"); date() cuts the day.
    return func.date(column)


def _upsert(rows: Any) -> Any:
    """INSERT ... SELECT rows that adds to an existing day's count."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(activity).from_select(
        ["article_id", "day", "comments"], rows
    )
    return statement.on_conflict_do_update(
        index_elements=["article_id", "day"],
        set_={"comments": activity.c.comments + statement.excluded.comments},
    )


def add(article_id: int, day: date, delta: int) -> None:
    """Count one approved comment in (+1) or out (-1) of its article's day."""
    if delta > 0:
        rows = select(literal(article_id), literal(day, Date), literal(delta))
        db.session.execute(_upsert(rows))
        return
    here = (activity.c.article_id == article_id) & (activity.c.day == day)
    db.session.execute(
        update(activity)
        .where(here, activity.c.comments > 0)
        .values(comments=activity.c.comments + delta)
    )
    db.session.execute(delete(activity).where(here, activity.c.comments <= 0))


def recount() -> None:
    """Rebuild every row from the approved comments (one INSERT ... SELECT)."""
    day = _day_of(Comment.created_at)
    rows = (
        select(Comment.article_id, day, func.count())
        .where(
            Comment.status == CommentStatus.APPROVED,
            Comment.kind == CommentKind.COMMENT,
            Comment.removed_at.is_(None),
        )
        .group_by(Comment.article_id, day)
    )
    db.session.execute(delete(activity))
    db.session.execute(_upsert(rows))


def most_discussed(days: int, limit: int = TOP) -> list[Ranked]:
    """Published articles by approved comments in the last ``days`` days: one query."""
    totals = (
        select(activity.c.article_id, func.sum(activity.c.comments).label("total"))
        .where(activity.c.day >= first_day(days))
        .group_by(activity.c.article_id)
        .subquery()
    )
    query = (
        select(Article, totals.c.total)
        .join(totals, totals.c.article_id == Article.id)
        .where(Article.listed(), totals.c.total > 0)
        .order_by(totals.c.total.desc(), Article.published_at.desc(), Article.id)
        .limit(limit)
        .options(
            joinedload(Article.author).joinedload(User.avatar),
            joinedload(Article.cover),
        )
    )
    return [Ranked(article, total) for article, total in db.session.execute(query)]


def staff_ranking(limit: int = TOP) -> list[Ranked]:
    """Every article and page by comments in 30 days, with its last 7: one query."""
    week = func.sum(
        case((activity.c.day >= first_day(7), activity.c.comments), else_=0)
    )
    totals = (
        select(
            activity.c.article_id,
            func.sum(activity.c.comments).label("month"),
            week.label("week"),
        )
        .where(activity.c.day >= first_day(30))
        .group_by(activity.c.article_id)
        .subquery()
    )
    query = (
        select(Article, totals.c.month, totals.c.week)
        .join(totals, totals.c.article_id == Article.id)
        .where(totals.c.month > 0)
        .order_by(totals.c.month.desc(), totals.c.week.desc(), Article.id)
        .limit(limit)
    )
    return [Ranked(a, month, week) for a, month, week in db.session.execute(query)]


def count_for(article_id: int, days: int) -> int:
    """One article's approved comments in the last ``days`` days."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(activity.c.comments), 0)).where(
            activity.c.article_id == article_id, activity.c.day >= first_day(days)
        )
    )
    return int(total)


def export_rows() -> list[dict[str, Any]]:
    """Every row as JSON values, in key order."""
    rows = db.session.execute(
        select(activity.c.article_id, activity.c.day, activity.c.comments).order_by(
            activity.c.article_id, activity.c.day
        )
    )
    return [
        {"article_id": a, "day": day.isoformat(), "comments": n} for a, day, n in rows
    ]


def import_rows(records: list[dict[str, Any]]) -> None:
    """Store exported rows (into the import's transaction)."""
    rows = [
        {
            "article_id": int(record["article_id"]),
            "day": date.fromisoformat(record["day"]),
            "comments": int(record["comments"]),
        }
        for record in records
    ]
    if rows:
        db.session.execute(activity.insert(), rows)
