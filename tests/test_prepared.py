"""storage.prepared.Prepared: the same rows and types as Connection.execute(), on both databases."""

from datetime import UTC
from datetime import timedelta

import pytest
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
from storage import sqlcount
from storage.prepared import Prepared
from tests.support.factories import make_article


def _article_select():
    # A datetime bound and returned, an enum bound as a literal, a boolean.
    return select(
        Article.id, Article.published_at, Article.comments_open, Article.status
    ).where(
        Article.slug == bindparam("slug"),
        Article.status == ArticleStatus.PUBLISHED,
        Article.published_at <= bindparam("now"),
    )


def test_first_matches_sqlalchemy_execute_with_types_applied(app):
    with app.app_context():
        make_article(slug="typed")
        statement = _article_select()
        values = {"slug": "typed", "now": utcnow()}
        with db.engine.connect() as connection:
            expected = tuple(connection.execute(statement, values).one())
            got = Prepared(statement).first(connection, values)
        assert got == expected
        assert got[1].tzinfo is not None and got[1].utcoffset() == timedelta(0)
        assert got[2] is True and got[3] is ArticleStatus.PUBLISHED


def test_first_is_none_without_a_row_and_binds_datetimes_as_utc(app):
    with app.app_context():
        article = make_article(slug="later")
        published = article.published_at
        prepared = Prepared(_article_select())
        with db.engine.connect() as connection:
            before = published - timedelta(seconds=1)
            assert prepared.first(connection, {"slug": "later", "now": before}) is None
            # A naive datetime is read as UTC, as the column type reads it.
            local = published.astimezone(UTC).replace(tzinfo=None)
            assert prepared.first(connection, {"slug": "later", "now": local})
            assert (
                prepared.first(connection, {"slug": "missing", "now": utcnow()}) is None
            )


def test_python_side_defaults_are_refused(app):
    # Article.updated_at has an onupdate that execute() would fill in.
    articles = Article.__table__.c
    statement = update(Article.__table__).values(comment_count=articles.comment_count)
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(ValueError, match="updated_at"):
            Prepared(statement).first(connection, {})


def test_writes_share_the_session_transaction_and_are_counted(app):
    with app.app_context():
        article = make_article(slug="counted")
        comments = Comment.__table__.c
        columns = [c for c in Comment.__table__.c if c.name != "id"]
        add = Prepared(
            insert(Comment.__table__)
            .values({c.name: bindparam(c.name) for c in columns})
            .returning(comments.id)
        )
        articles = Article.__table__.c
        bump = Prepared(
            update(Article.__table__)
            .where(articles.id == bindparam("article_id"))
            .values(
                comment_count=articles.comment_count + 1,
                updated_at=articles.updated_at,
            )
            .returning(articles.comment_count)
        )
        values = {c.name: None for c in columns} | {
            "article_id": article.id,
            "depth": 0,
            "author_name": "Ada",
            "author_email": "ada@example.com",
            "author_url": "",
            "body": "Hello",
            "status": CommentStatus.APPROVED,
            "status_reason": "test",
            "created_at": utcnow(),
            "ip": "",
            "user_agent": "",
        }
        with sqlcount.count_statements(app) as log:
            connection = db.session.connection()
            (new_id,) = add.first(connection, values)
            (count,) = bump.first(connection, {"article_id": article.id})
            db.session.rollback()
        assert len(log) == 2 and log[0].lstrip().upper().startswith("INSERT")
        assert new_id and count == article.comment_count + 1
        # Rolled back with the session: nothing was written.
        assert db.session.get(Comment, new_id) is None
        db.session.expire_all()
        assert db.session.get(Article, article.id).comment_count == count - 1
        # Committed through the session, the same statements stay.
        connection = db.session.connection()
        (new_id,) = add.first(connection, values)
        db.session.commit()
        stored = db.session.get(Comment, new_id)
        assert stored.status is CommentStatus.APPROVED and stored.body == "Hello"


def test_expanding_in_is_refused(app):
    statement = select(Article.id).where(Article.id.in_([1, 2]))
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(ValueError, match="expanding IN"):
            Prepared(statement).first(connection, {})


def test_driver_errors_become_sqlalchemy_errors(app):
    """web.errors.py answers SQLAlchemy's DataError and OperationalError, not the driver's."""
    from sqlalchemy.exc import DBAPIError

    statement = select(Article.id).where(Article.slug == bindparam("slug"))
    with app.app_context(), db.engine.connect() as connection:
        bad = "nul\x00byte" if db.engine.dialect.name == "postgresql" else object()
        with pytest.raises(DBAPIError) as raised:
            Prepared(statement).first(connection, {"slug": bad})
    assert not isinstance(raised.value.orig, DBAPIError)
