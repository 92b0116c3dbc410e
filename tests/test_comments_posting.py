"""The comment write path: one short transaction, counters, and the SQLite write gate."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import select

from models import Article
from models import Comment
from models import CommentStatus
from models import OutboxMail
from models import Role
from models import db
from storage import sqlcount
from storage.sqlite import GATE_EXTENSION
from storage.sqlite import WriteGate
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user
from tests.test_comments import post
from tests.test_comments import stored


@pytest.fixture
def app(make_app):
    return make_app(SPAM_MIN_SECONDS=0)


@pytest.fixture
def article(app):
    with app.app_context():
        a = make_article(title="Hello comments", slug="hello")
        # An approved comment from ada@, so her next one is approved at once.
        make_comment(a, author_email="ada@example.org")
        return a.id


def _article(app, article_id: int) -> Article:
    with app.app_context():
        return db.session.get(Article, article_id)


def test_approved_post_counts_and_moves_the_version_but_not_updated_at(
    app, client, article
):
    before = _article(app, article)
    response = post(client, comment="A second, different comment.")
    assert response.status_code == 303
    after = _article(app, article)
    assert after.comment_count == before.comment_count + 1
    assert after.comments_version == before.comments_version + 1
    # A comment is not an edit: feeds, sitemap and page keys keep their date.
    assert after.updated_at == before.updated_at
    new = stored(app)[-1]
    assert new.status == CommentStatus.APPROVED
    assert response.headers["Location"].endswith(f"#comment-{new.id}")


def test_held_post_changes_no_counter(app, client, article):
    before = _article(app, article)
    assert post(client, email="new@example.org").status_code == 303
    after = _article(app, article)
    assert (after.comment_count, after.comments_version) == (
        before.comment_count,
        before.comments_version,
    )
    assert stored(app)[-1].status == CommentStatus.PENDING


def test_moderation_recount_keeps_updated_at(app, article):
    from blueprints.comments.moderation import set_status

    with app.app_context():
        comment = db.session.scalars(select(Comment)).first()
        updated_at = comment.article.updated_at
        set_status(comment, CommentStatus.SPAM, "spam: by a moderator")
        db.session.commit()
        db.session.expire_all()
        article_row = db.session.get(Article, article)
        assert article_row.comment_count == 0
        assert article_row.updated_at == updated_at


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        # The article (and whether anyone follows it), the author's history,
        # the INSERT, the article's counters and the site's comment_counts
        # (the list pages' version). Nobody follows: no notice is looked for.
        ("ada@example.org", 5),
        # Held: no counters, but the staff recipients and the outbox mail.
        ("new@example.org", 5),
    ],
)
def test_post_statements(app, client, article, email, expected):
    with app.app_context():
        make_user(email="mod@example.org", role=Role.MODERATOR)
    with sqlcount.count_statements(app) as log:
        assert post(client, email=email).status_code == 303
    assert len(log) == expected, list(log)
    with app.app_context():
        mails = db.session.scalars(select(OutboxMail)).all()
    assert len(mails) == (1 if email.startswith("new") else 0)


def test_htmx_post_answers_without_rendering_the_comment_list(
    app, client, article, htmx_headers
):
    with sqlcount.count_statements(app) as log:
        response = post(client, headers=htmx_headers, comment="Posted inline.")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Posted inline." in html
    assert 'id="comment-count" hx-swap-oob="true">2 comments' in html
    assert 'id="comment-form"' in html
    # Only the write path's statements: the cached list is not re-read.
    assert not [s for s in log if "FROM comments" in s and "EXISTS" not in s]


def test_invalid_post_takes_no_write_lock(app, client, article):
    path = _database(app)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = post(client, comment="")
    finally:
        holder.rollback()
        holder.close()
    # Errors are shown while another writer holds the lock: no 503.
    assert response.status_code == 422
    assert "Write a comment." in response.get_data(as_text=True)


def _database(app) -> str:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        return db.engine.url.database


def test_gate_admits_one_holder_at_a_time(tmp_path):
    first = WriteGate(str(tmp_path / "db.write-gate"), timeout=1)
    second = WriteGate(str(tmp_path / "db.write-gate"), timeout=0.05)
    assert first.acquire()
    # Another open file of the same gate (as another worker has) must wait.
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_gate_wakes_a_waiting_writer_when_released(tmp_path):
    first = WriteGate(str(tmp_path / "db.write-gate"), timeout=1)
    second = WriteGate(str(tmp_path / "db.write-gate"), timeout=5)
    assert first.acquire()
    timer = threading.Timer(0.2, first.release)
    timer.start()
    try:
        assert second.acquire()
    finally:
        timer.join()
    second.release()


def test_gate_kept_shut_past_busy_timeout_is_503_and_nothing_saved(make_app, article):
    app = make_app(SPAM_MIN_SECONDS=0, SQLITE_BUSY_TIMEOUT_MS=150)
    path = _database(app)
    gate = app.extensions[GATE_EXTENSION]
    assert gate.path == f"{path}.write-gate"
    other_worker = WriteGate(gate.path, timeout=1)
    assert other_worker.acquire()
    client = app.test_client()
    try:
        with app.app_context():
            count = len(stored(app))
        response = post(client, comment="Waiting at the gate.")
    finally:
        other_worker.release()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert len(stored(app)) == count
    # The gate did not stay shut for this process either.
    assert post(client, comment="Through the gate.").status_code == 303


def test_gate_is_left_after_a_rolled_back_write(app, article):
    from storage.sqlite import begin_write

    gate = app.extensions.get(GATE_EXTENSION)
    if gate is None:
        pytest.skip("SQLite only")
    with app.app_context():
        with write_transaction() as transaction:
            transaction.rollback()
        with write_transaction():
            pass
        with pytest.raises(LookupError), write_transaction():
            raise LookupError
        # storage/'s own helper: the session's close at teardown leaves it too.
        begin_write()
    probe = WriteGate(gate.path, timeout=0.05)
    assert probe.acquire()
    probe.release()


def test_author_check_seeks_this_authors_rows_on_this_article(app):
    """The duplicate check reads (address, status, article) from the index, never
    every comment the address wrote; the approval check seeks (address, status)."""
    from blueprints.comments.moderation import _history_query

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's query plan")
        compiled = _history_query()._for(db.engine.dialect)
        values = {"email": "a@example.org", "article_id": 1, "body": "x"}
        connection = db.engine.raw_connection()
        try:
            plan = (
                connection.cursor()
                .execute(
                    "EXPLAIN QUERY PLAN " + compiled.sql, compiled.parameters(values)
                )
                .fetchall()
            )
        finally:
            connection.close()
    details = [row[-1] for row in plan]
    index = "ix_comments_author_email_status_article"
    assert any(
        index in d and "article_id=?" in d and "status=?" in d for d in details
    ), details
    assert any(
        index in d and "status=?" in d and "article_id" not in d for d in details
    ), details
