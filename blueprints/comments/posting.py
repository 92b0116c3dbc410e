"""Storing a reader's new comment in one short write transaction.

The view checks the form before taking the write lock; under it (BEGIN
IMMEDIATE on SQLite) it reads the article and the comment replied to, runs the
duplicate and author-history check, the comment's INSERT and the article's
counters, then commits, so what it read cannot change before it writes. The staff mail is
queued after commit by a receiver of signals.comment_created. The statements
are Core, built and compiled once and run on the DB-API cursor
(prepared.Prepared), because this is the busiest write path
(bench/README.md).
"""

from __future__ import annotations

from dataclasses import fields
from dataclasses import replace
from functools import lru_cache

from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from models import Article
from models import ArticleStatus
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import Subscription
from models import comment_counts_changed
from models import count_comment_change
from models import db
from models import utcnow
from storage.prepared import Prepared


@lru_cache(maxsize=1)
def _target_query() -> Prepared:
    articles = Article.__table__.c
    return Prepared(
        select(
            articles.id,
            articles.slug,
            articles.title,
            articles.comments_open,
            articles.published_at,
            articles.comment_count,
            articles.comments_version,
            articles.kind,
            # Through ix_subscriptions_article_kind's leading column.
            exists()
            .where(Subscription.__table__.c.article_id == articles.id)
            .label("has_followers"),
        ).where(
            articles.slug == bindparam("slug"),
            articles.status == ArticleStatus.PUBLISHED,
            articles.published_at <= bindparam("now"),
        )
    )


def find_target(slug: str) -> ArticleRef | None:
    """The published article or page at slug, as the comment views need it (one query)."""
    row = _target_query().first(
        db.session.connection(), {"slug": slug, "now": utcnow()}
    )
    return ArticleRef(*row[:-1], has_followers=bool(row[-1])) if row else None


@lru_cache(maxsize=1)
def _comment_insert() -> Prepared:
    # Every column but the id is named: a prepared statement applies no
    # Python-side defaults.
    table = Comment.__table__
    columns = [column.name for column in table.c if column.name != "id"]
    return Prepared(
        insert(table)
        .values({name: bindparam(name) for name in columns})
        .returning(table.c.id)
    )


@lru_cache(maxsize=1)
def _count_update() -> Prepared:
    articles = Article.__table__.c
    return Prepared(
        update(Article.__table__)
        .where(articles.id == bindparam("article_id"))
        .values(comment_count=articles.comment_count + 1, **Article.comments_changed())
        .returning(articles.comment_count, articles.comments_version)
    )


@lru_cache(maxsize=1)
def _counter_update() -> Prepared:
    return Prepared(comment_counts_changed())


def insert_comment(
    target: ArticleRef, values: dict
) -> tuple[StoredComment, ArticleRef]:
    """Insert the comment (values: its columns but article_id and created_at).

    An approved comment also counts on its article and moves the article's
    comments_version, which is what the cached comment list and page are keyed
    on, and the site's comment_counts counter, which the list pages are. Returns the stored comment and the article with its count after it.
    The caller holds the write lock and commits.
    """
    values = {
        "staff_author_id": None,
        "kind": CommentKind.COMMENT,
        "edited_at": None,
        "removed_at": None,
        **values,
        "article_id": target.id,
        "created_at": utcnow(),
    }
    connection = db.session.connection()
    (comment_id,) = _comment_insert().first(connection, values)
    comment = StoredComment(
        id=comment_id,
        **{f.name: values[f.name] for f in fields(StoredComment) if f.name != "id"},
    )
    if comment.status != CommentStatus.APPROVED:
        return comment, target
    count, version = _count_update().first(connection, {"article_id": target.id})
    if _counter_update().first(connection, {}) is None:
        count_comment_change(connection)  # the counter's row was missing
    return comment, replace(target, comment_count=count, comments_version=version)
