"""Storing a reader's new comment in one short write transaction.

The view reads what it can before taking the write lock (the article, the
comment replied to, the form's checks), so the lock (BEGIN IMMEDIATE on SQLite)
is held only for what must be atomic: the duplicate and author-history check,
the comment's INSERT, the article's counters and the staff mail, then COMMIT.
The statements are Core, built once: a comment post is the busiest write path
and the ORM's unit of work would cost more than the SQL itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Insert
from sqlalchemy import Select
from sqlalchemy import Update
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from models import Article
from models import ArticleStatus
from models import Comment
from models import CommentStatus
from models import db
from models import utcnow


@dataclass(frozen=True)
class Target:
    """The article a comment is posted to: its settings and count, not its text."""

    id: int
    slug: str
    title: str
    comments_open: bool
    published_at: datetime | None
    comment_count: int


@dataclass(frozen=True)
class NewComment:
    """A comment as just stored (the columns the response and the staff mail use)."""

    id: int
    article_id: int
    parent_id: int | None
    depth: int
    author_name: str
    author_email: str
    author_url: str
    body: str
    status: CommentStatus
    status_reason: str
    created_at: datetime


@lru_cache(maxsize=1)
def _target_query() -> Select:
    articles = Article.__table__.c
    return select(
        articles.id,
        articles.slug,
        articles.title,
        articles.comments_open,
        articles.published_at,
        articles.comment_count,
    ).where(
        articles.slug == bindparam("slug"),
        articles.status == ArticleStatus.PUBLISHED,
        articles.published_at <= bindparam("now"),
    )


def find_target(slug: str) -> Target | None:
    """The published article at slug, as posting needs it (one indexed query)."""
    row = (
        db.session.connection()
        .execute(_target_query(), {"slug": slug, "now": utcnow()})
        .first()
    )
    return Target(*row) if row is not None else None


@lru_cache(maxsize=1)
def _comment_insert() -> Insert:
    # The columns come from the parameters (compiled once per set of keys).
    return insert(Comment.__table__)


@lru_cache(maxsize=1)
def _count_update() -> Update:
    articles = Article.__table__.c
    # updated_at is set to itself: a new comment is not an edit of the article,
    # so its onupdate (feeds, sitemap, the page cache's site-wide key) stays put.
    return (
        update(Article.__table__)
        .where(articles.id == bindparam("article_id"))
        .values(
            comment_count=articles.comment_count + 1,
            comments_version=articles.comments_version + 1,
            updated_at=articles.updated_at,
        )
        .returning(articles.comment_count)
    )


def insert_comment(target: Target, values: dict) -> tuple[NewComment, Target]:
    """Insert the comment (values: its columns but article_id and created_at).

    An approved comment also counts on its article and moves the article's
    comments_version, which is what the cached comment list and page are keyed
    on. Returns the stored comment and the article with its count after it.
    The caller holds the write lock and commits.
    """
    values = {**values, "article_id": target.id, "created_at": utcnow()}
    connection = db.session.connection()
    result = connection.execute(_comment_insert(), values)
    comment = NewComment(
        id=result.inserted_primary_key[0],
        **{f.name: values[f.name] for f in fields(NewComment) if f.name != "id"},
    )
    if comment.status != CommentStatus.APPROVED:
        return comment, target
    count = connection.execute(_count_update(), {"article_id": target.id}).scalar()
    return comment, replace(target, comment_count=count)
