"""Models and migrations never drift: upgrade an empty file database, then check."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app import init_migrations
from models import db
from tests.support.fixtures import ROOT
from tests.support.fixtures import base_config


def test_upgrade_then_check_on_empty_database(database, tmp_path):
    if database["kind"] == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = database["url"]
    app = create_app(base_config(url))
    init_migrations(app)
    runner = app.test_cli_runner()
    if database["kind"] == "sqlite":
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["db", "check"])
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output


def _python(code: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "FOLIO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "FOLIO_SECRET_KEY": "test-secret-key-for-the-cli-process",
        "FOLIO_ENV": "development",
        "FLASK_APP": "app",
    }
    return subprocess.run(
        [sys.executable, *(("-c", code) if code else ()), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_web_workers_do_not_load_alembic(tmp_path):
    # Flask-Migrate brings Alembic, Mako and Pygments: 10 MB a worker.
    done = _python(
        "import sys; from app import create_app; create_app(); "
        "print(sorted({'alembic', 'mako', 'flask_migrate'} & set(sys.modules)))",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_flask_command_has_the_migration_commands(tmp_path):
    done = _python("", tmp_path, "-m", "flask", "db", "upgrade")
    assert done.returncode == 0, done.stderr
    done = _python("", tmp_path, "-m", "flask", "db", "current")
    assert done.returncode == 0, done.stderr
    assert "(head)" in done.stdout


def test_upgrade_from_the_first_release_keeps_rows_and_swaps_the_index(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(base_config(url))
    init_migrations(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0001"]).exit_code == 0
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO articles (slug, title, summary, body, body_html,"
                " reading_minutes, status, comments_open, comment_count,"
                " comments_version, created_at, updated_at)"
                " VALUES ('kept', 'Kept', '', 'text', '<p>text</p>', 1,"
                " 'published', 1, 0, 0, '2026-11-01', '2026-11-01')"
            )
        )
        db.session.commit()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        indexes = {
            row.name for row in db.session.execute(text("PRAGMA index_list(articles)"))
        }
        # 0002 added id to the index; 0013 leads it with the kind; 0014
        # brings back 0001's (status, published_at) for the newest publication.
        assert "ix_articles_kind_status_published_at_id" in indexes
        assert "ix_articles_status_published_at_id" not in indexes
        assert "ix_articles_status_published_at" in indexes
        assert db.session.scalar(text("SELECT title FROM articles")) == "Kept"
        assert db.session.scalar(text("SELECT kind FROM articles")) == "article"
    assert runner.invoke(args=["db", "downgrade", "0001"]).exit_code == 0
    with app.app_context():
        indexes = {
            row.name for row in db.session.execute(text("PRAGMA index_list(articles)"))
        }
        assert "ix_articles_status_published_at" in indexes
        db.engine.dispose()


def test_staff_sessions_migration_keeps_users_and_goes_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    app = create_app(base_config(url))
    init_migrations(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0004"]).exit_code == 0
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO users (email, display_name, password_hash, role,"
                " is_active, created_at) VALUES ('ed@example.com', 'Ed', 'x',"
                " 'editor', 1, '2026-11-01')"
            )
        )
        db.session.commit()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(text("SELECT session_generation FROM users")) == 0
        assert db.session.scalar(text("SELECT count(*) FROM staff_sessions")) == 0
    result = runner.invoke(args=["db", "downgrade", "0004"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(text("SELECT email FROM users")) == "ed@example.com"
        tables = {
            row[0]
            for row in db.session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        }
        assert "staff_sessions" not in tables
        db.engine.dispose()


def test_table_alignment_migration_turns_styles_into_classes(tmp_path):
    url = f"sqlite:///{tmp_path / 'align.db'}"
    app = create_app(base_config(url))
    init_migrations(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0005"]).exit_code == 0
    old = (
        '<table><tr><th style="text-align:left">a</th>'
        '<td style="text-align:center">b</td><td style="text-align:right">c</td>'
        "<td>d</td></tr></table>"
    )
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO articles (slug, title, summary, body, body_html,"
                " reading_minutes, status, comments_open, comment_count,"
                " comments_version, created_at, updated_at) VALUES"
                " ('table', 'T', '', 'x', :html, 1, 'published', 1, 0, 0,"
                " '2026-11-01', '2026-11-01'), ('plain', 'P', '', 'x', '<p>x</p>',"
                " 1, 'published', 1, 0, 0, '2026-11-01', '2026-11-01')"
            ),
            {"html": old},
        )
        db.session.commit()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        rows = dict(
            db.session.execute(text("SELECT slug, body_html FROM articles")).all()
        )
        touched = dict(
            db.session.execute(text("SELECT slug, updated_at FROM articles")).all()
        )
    assert rows["table"] == (
        '<table><tr><th class="align-left">a</th>'
        '<td class="align-center">b</td><td class="align-right">c</td>'
        "<td>d</td></tr></table>"
    )
    assert rows["plain"] == "<p>x</p>"
    assert touched["plain"].startswith("2026-11-01")
    assert not touched["table"].startswith("2026-11-01")
    assert runner.invoke(args=["db", "downgrade", "0005"]).exit_code == 0
    with app.app_context():
        html = db.session.scalar(
            text("SELECT body_html FROM articles WHERE slug='table'")
        )
        db.engine.dispose()
    assert html == old


def test_media_migration_keeps_comments_tags_redirects_and_search(tmp_path):
    """0007 copies the articles table on SQLite: nothing that points at it is lost."""
    url = f"sqlite:///{tmp_path / 'media.db'}"
    app = create_app(base_config(url))
    init_migrations(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0006"]).exit_code == 0
    statements = [
        "INSERT INTO articles (id, slug, title, summary, body, body_html,"
        " reading_minutes, status, created_at, updated_at, comments_open,"
        " comment_count, comments_version) VALUES (1, 'kept', 'Harbour lights',"
        " '', 'lanterns by the water', '', 1, 'published', '2026-11-01',"
        " '2026-11-01', 1, 1, 0)",
        "INSERT INTO tags (id, name, slug) VALUES (1, 'Notes', 'notes')",
        "INSERT INTO article_tags (article_id, tag_id) VALUES (1, 1)",
        "INSERT INTO slug_redirects (slug, article_id, created_at)"
        " VALUES ('old', 1, '2026-11-01')",
        "INSERT INTO comments (article_id, depth, author_name, author_email,"
        " author_url, body, status, status_reason, created_at, ip, user_agent)"
        " VALUES (1, 0, 'Ann', 'ann@example.org', '', 'Hi', 'approved', '',"
        " '2026-11-01', '', '')",
    ]
    counted = ("comments", "article_tags", "slug_redirects", "articles")

    def counts():
        with app.app_context():
            found = {
                t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in counted
            }
            db.session.rollback()
            return found

    with app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()
    before = counts()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert counts() == before == dict.fromkeys(counted, 1)
    with app.app_context():
        found = db.session.scalar(
            text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'lanterns'")
        )
        assert found == 1
        db.session.execute(
            text("UPDATE articles SET body = 'a lighthouse' WHERE id = 1")
        )
        db.session.commit()
        assert (
            db.session.scalar(
                text(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'lighthouse'"
                )
            )
            == 1
        )
        db.session.rollback()
    result = runner.invoke(args=["db", "downgrade", "0006"])
    assert result.exit_code == 0, result.output
    assert counts() == before
    with app.app_context():
        db.engine.dispose()


def test_pages_migration_keeps_articles_listed_and_search_working(tmp_path):
    """0013 copies the articles table on SQLite: rows, links and search survive."""
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    app = create_app(base_config(url))
    init_migrations(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0012"]).exit_code == 0
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO articles (id, slug, title, summary, body, body_html,"
                " reading_minutes, status, created_at, updated_at, comments_open,"
                " comment_count, comments_version) VALUES (1, 'kept', 'Harbour',"
                " '', 'lanterns by the water', '', 1, 'published', '2026-11-01',"
                " '2026-11-01', 1, 0, 0)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO slug_redirects (slug, article_id, created_at)"
                " VALUES ('old', 1, '2026-11-01')"
            )
        )
        db.session.commit()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(text("SELECT kind FROM articles")) == "article"
        assert db.session.scalar(text("SELECT count(*) FROM slug_redirects")) == 1
        counters = dict(
            db.session.execute(text("SELECT name, value FROM site_counters")).all()
        )
        assert counters["menus"] == 0
        found = db.session.scalar(
            text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'lanterns'")
        )
        assert found == 1
        db.session.execute(
            text(
                "INSERT INTO menu_items (menu, position, label, target, article_id, url)"
                " VALUES ('header', 0, '', 'page', 1, '')"
            )
        )
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(
                    "INSERT INTO menu_items (menu, position, label, target, url)"
                    " VALUES ('header', 1, 'x', 'page', '')"
                )
            )
        db.session.rollback()
    result = runner.invoke(args=["db", "downgrade", "0012"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = {
            row[0]
            for row in db.session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        }
        assert "menu_items" not in tables
        assert db.session.scalar(text("SELECT title FROM articles")) == "Harbour"
        assert db.session.scalar(text("SELECT count(*) FROM slug_redirects")) == 1
        db.engine.dispose()
