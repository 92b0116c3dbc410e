"""A full disk or a restarting database server: 503 with Retry-After, never a 500.

Nothing is half-saved, and once the fault passes the same app serves again
without a restart (the pool replaces dropped connections by itself).
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from models import Comment
from models import db
from storage.outages import CONNECTION_LOST
from storage.outages import OUT_OF_SPACE
from storage.outages import retry_after
from tests.support.factories import make_article
from tests.support.tcp_proxy import TcpProxy
from tests.test_comments import post


def _comments(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Comment.id)))


def _is_outage_page(response, seconds: int) -> bool:
    html = response.get_data(as_text=True)
    return (
        response.status_code == 503
        and response.headers["Retry-After"] == str(seconds)
        and "nothing was saved" in html
        and "<main" in html  # the site's own error page, in its layout
    )


def test_a_full_disk_is_a_503_and_saves_nothing(make_app, database):
    if database["kind"] != "sqlite":
        pytest.skip("fills a SQLite file; PostgreSQL's full disk is classified below")
    app = make_app(SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
        engine = db.engine
        pages = db.session.connection().exec_driver_sql("PRAGMA page_count").scalar()
        db.session.remove()

        # SQLite's answer when the file may not grow: SQLITE_FULL, "database
        # or disk is full", as on a full disk.
        def no_room(dbapi_connection, record):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        event.listen(engine, "connect", no_room)
        engine.dispose()
    client = app.test_client()
    response = post(client, comment="A long comment. " * 2000)
    assert _is_outage_page(response, OUT_OF_SPACE)
    assert _comments(app) == 0
    assert client.get("/articles/hello").status_code == 200  # reading still works

    with app.app_context():
        event.remove(engine, "connect", no_room)
        engine.dispose()
    assert post(client, comment="A long comment. " * 2000).status_code == 303
    assert _comments(app) == 1


@pytest.fixture
def behind_proxy(make_app, database, database_url):
    """An app whose PostgreSQL connections go through a relay the test controls."""
    if database["kind"] != "postgresql":
        pytest.skip("a database server restart needs PostgreSQL")
    direct = make_app()  # the first app made empties the database afterwards
    with direct.app_context():
        make_article(slug="hello")
    url = make_url(database_url)
    proxy = TcpProxy((url.host, url.port or 5432)).up()
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    yield make_app(SQLALCHEMY_DATABASE_URI=proxied, SPAM_MIN_SECONDS=0), proxy
    proxy.down()


def test_dropped_connections_are_replaced_by_the_pool(behind_proxy):
    app, proxy = behind_proxy
    client = app.test_client()
    assert client.get("/articles/hello").status_code == 200
    proxy.cut()  # the server restarted between two requests
    assert client.get("/articles/hello").status_code == 200
    assert post(client).status_code == 303


def test_a_restarting_server_is_a_503_then_serves_again(behind_proxy):
    app, proxy = behind_proxy
    client = app.test_client()
    assert client.get("/articles/hello").status_code == 200
    proxy.down()  # going down: sessions dropped, new connections refused
    assert _is_outage_page(client.get("/articles/hello"), CONNECTION_LOST)
    assert _is_outage_page(post(client), CONNECTION_LOST)
    proxy.up()  # back, on the same address
    assert client.get("/articles/hello").status_code == 200
    assert post(client).status_code == 303
    assert _comments(app) == 1


def test_a_connection_dropped_after_the_answer_is_not_a_500(behind_proxy):
    app, proxy = behind_proxy

    @app.after_request
    def restart_now(response):
        proxy.cut()  # the server restarts after the page was made, before teardown
        return response

    client = app.test_client()
    assert client.get("/articles/hello").status_code == 200
    assert client.get("/articles/hello").status_code == 200  # a fresh connection


def _operational(orig: BaseException) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("orig", "seconds"),
    [
        (psycopg.errors.AdminShutdown("terminating connection"), CONNECTION_LOST),
        (
            psycopg.errors.CannotConnectNow("the database system is starting up"),
            CONNECTION_LOST,
        ),
        (psycopg.errors.DiskFull("could not extend file"), OUT_OF_SPACE),
        (psycopg.errors.TooManyConnections("too many clients"), CONNECTION_LOST),
        (
            psycopg.OperationalError("connection failed: Connection refused"),
            CONNECTION_LOST,
        ),
        (
            psycopg.OperationalError("server closed the connection unexpectedly"),
            CONNECTION_LOST,
        ),
        (
            psycopg.OperationalError(
                "sending query and params failed: number of parameters must be "
                "between 0 and 65535"
            ),
            None,
        ),
        (psycopg.InterfaceError("the cursor is closed"), None),
        (psycopg.errors.UndefinedTable("no such relation"), None),
        (psycopg.errors.SyntaxError("syntax error"), None),
    ],
)
def test_postgresql_errors_that_pass_and_those_that_do_not(orig, seconds):
    assert retry_after(_operational(orig)) == seconds


def test_sqlite_errors_that_pass_and_those_that_do_not():
    import sqlite3

    assert (
        retry_after(_operational(sqlite3.OperationalError("database or disk is full")))
        == OUT_OF_SPACE
    )
    assert (
        retry_after(_operational(sqlite3.OperationalError("database is locked"))) == 2
    )
    assert (
        retry_after(_operational(sqlite3.OperationalError("no such table: x"))) is None
    )
