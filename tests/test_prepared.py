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
from models import CommentKind
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
            "kind": CommentKind.COMMENT,
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


def test_record_queries_article_page_answers_and_lists_the_prepared_statement(
    make_app,
):
    from flask import g
    from flask_sqlalchemy.record_queries import get_recorded_queries

    app = make_app(SQLALCHEMY_RECORD_QUERIES=True)
    with app.app_context():
        make_article(slug="recorded")
    client = app.test_client(use_cookies=False)
    seen: list[str] = []

    @app.after_request
    def _keep(response):
        seen.extend(q.statement for q in get_recorded_queries())
        g.pop("_sqlalchemy_queries", None)
        return response

    for _ in range(2):  # the second answer comes from the page cache
        assert client.get("/articles/recorded").status_code == 200
    version_sql = _version_sql(app)
    assert seen.count(version_sql) == 2


def _version_sql(app) -> str:
    from blueprints.articles.versions import _article_query
    from models import ArticleKind

    with app.app_context():
        return _article_query(ArticleKind.ARTICLE)._for(db.engine.dialect).sql


@pytest.mark.parametrize("how", ["SQLALCHEMY_ECHO", "logging"])
def test_echo_logs_prepared_statements(make_app, caplog, how):
    import logging
    from contextlib import nullcontext

    app = make_app(SQLALCHEMY_ECHO=how == "SQLALCHEMY_ECHO")
    statement = _article_select()
    with app.app_context():
        make_article(slug="logged")
        sql = Prepared(statement)._for(db.engine.dialect).sql
        # Echo logs whatever the logger's level; otherwise the level decides.
        logs = (
            caplog.at_level(logging.INFO, logger="sqlalchemy.engine")
            if how == "logging"
            else nullcontext()
        )
        caplog.clear()
        with logs:
            # SQLAlchemy decides whether to log when a connection opens.
            with db.engine.connect() as connection:
                row = Prepared(statement).first(
                    connection, {"slug": "logged", "now": utcnow()}
                )
    assert row is not None
    assert sql in caplog.text


def test_after_cursor_execute_sees_the_statement_with_its_context(app):
    from sqlalchemy import event

    seen = []

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, context.statement, context.parameters))

    with app.app_context():
        make_article(slug="after")
        engine = db.engine
        prepared = Prepared(_article_select())
        event.listen(engine, "after_cursor_execute", after)
        try:
            with engine.connect() as connection:
                prepared.first(connection, {"slug": "after", "now": utcnow()})
        finally:
            event.remove(engine, "after_cursor_execute", after)
        sql = prepared._for(engine.dialect).sql
    assert [s for s, _, _ in seen if s == sql]
    assert all(s == context_sql for s, context_sql, _ in seen)


@pytest.mark.parametrize(
    "event_name", ["before_cursor_execute", "after_cursor_execute"]
)
def test_observed_follows_listeners_and_logging(app, event_name):
    """Fails loudly if an SQLAlchemy upgrade changes how its dispatcher answers bool()."""
    import logging

    from sqlalchemy import event

    from storage.prepared import observed

    def listener(*args) -> None:
        pass

    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            assert observed(connection) is False
        event.listen(engine, event_name, listener)
        try:
            with engine.connect() as connection:
                assert observed(connection) is True
        finally:
            event.remove(engine, event_name, listener)
        logger = logging.getLogger("sqlalchemy.engine")
        level = logger.level
        logger.setLevel(logging.INFO)
        try:
            with engine.connect() as connection:
                assert observed(connection) is True
        finally:
            logger.setLevel(level)
        engine.echo = True
        try:
            with engine.connect() as connection:
                assert observed(connection) is True
        finally:
            engine.echo = False


@pytest.mark.parametrize("watched", [False, True])
def test_driver_errors_are_sqlalchemys_whether_watched_or_not(app, watched):
    from sqlalchemy import event
    from sqlalchemy.exc import DBAPIError

    def listener(*args) -> None:
        pass

    statement = select(Article.id).where(Article.slug == bindparam("slug"))
    with app.app_context():
        engine = db.engine
        if watched:
            event.listen(engine, "after_cursor_execute", listener)
        try:
            with engine.connect() as connection:
                bad = "nul\x00byte" if engine.dialect.name == "postgresql" else object()
                with pytest.raises(DBAPIError) as raised:
                    Prepared(statement).first(connection, {"slug": bad})
        finally:
            if watched:
                event.remove(engine, "after_cursor_execute", listener)
    assert not isinstance(raised.value.orig, DBAPIError)
