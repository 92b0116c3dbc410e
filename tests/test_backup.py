"""`flask backup`: an online, checked copy of the live SQLite database, and its images."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from blueprints.media.pictures import MEDIA_PATH
from blueprints.media.processing import stored_keys
from models import ContactMessage
from models import db
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.images import add_media
from tests.support.images import image_bytes


@pytest.fixture
def sqlite_app(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
    return app


def _message(n: int) -> ContactMessage:
    return ContactMessage(name=f"Writer {n}", email="w@example.org", message=f"#{n}")


def test_backup_during_writes_holds_every_committed_row(sqlite_app, tmp_path):
    committed: list[int] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        with sqlite_app.app_context():
            n = 0
            try:
                while not stop.is_set():
                    row = _message(n)
                    with write_transaction():
                        db.session.add(row)
                    committed.append(row.id)
                    n += 1
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(committed) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = list(committed)
        assert len(before) >= 50
        target = tmp_path / "copy.db"
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        after_backup = len(committed)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not errors
    assert "integrity_check: ok" in result.output
    assert "contact_messages:" in result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {row[0] for row in copy.execute("SELECT id FROM contact_messages")}
    assert set(before) <= ids
    # A snapshot: rows committed after the backup ended cannot be in it.
    assert len(ids) <= after_backup
    assert f"contact_messages: {len(ids)} rows" in result.output
    assert not list(tmp_path.glob(".copy.db.partial-*"))


def test_backup_refuses_to_overwrite_without_force(sqlite_app, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("precious")
    runner = sqlite_app.test_cli_runner()
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert target.read_text() == "precious"
    forced = runner.invoke(args=["backup", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_refuses_the_live_file_and_missing_folder(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    with sqlite_app.app_context():
        live = db.engine.url.database
    same = runner.invoke(args=["backup", "--force", live])
    assert same.exit_code != 0 and "live database" in same.output
    missing = runner.invoke(args=["backup", str(tmp_path / "nope" / "copy.db")])
    assert missing.exit_code != 0 and "no such folder" in missing.output


def test_backup_restores_as_a_working_database(sqlite_app, make_app, tmp_path):
    with sqlite_app.app_context():
        with write_transaction():
            db.session.add(_message(1))
    target = tmp_path / "restored.db"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    restored = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with restored.app_context():
        names = db.session.scalars(select(ContactMessage.name)).all()
    assert names == ["Writer 1"]


def test_backup_on_postgresql_explains_pg_dump(app, tmp_path):
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://folio@db/folio"
    target = tmp_path / "copy.db"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "pg_restore" in result.output
    assert "back up the images in" in result.output
    assert "postgresql://folio@db/folio" in result.output
    assert not target.exists()


def _files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    )


def test_backup_copies_the_images_beside_the_database(sqlite_app, tmp_path):
    media = add_media(sqlite_app)
    target = tmp_path / "backups" / "folio-Mon.db"
    target.parent.mkdir()
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    folder = target.parent / "media"
    keys = stored_keys(media)
    assert _files(folder) == sorted(keys)
    assert f"Images: copied {len(keys)} new file(s)" in result.output
    assert "0 were there already" in result.output
    live = Path(sqlite_app.instance_path) / "media"
    for key in keys:
        assert (folder / key).read_bytes() == (live / key).read_bytes()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_backup_of_images_is_incremental(sqlite_app, tmp_path):
    first = add_media(sqlite_app)
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "a.db")]).exit_code == 0
    folder = tmp_path / "media"
    before = {key: (folder / key).stat().st_ino for key in stored_keys(first)}
    second = add_media(sqlite_app, image_bytes(colour=(200, 10, 10)), "red.jpg")
    result = runner.invoke(args=["backup", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    new = stored_keys(second)
    assert f"Images: copied {len(new)} new file(s)" in result.output
    assert f"{len(before)} were there already" in result.output
    # The files already backed up were not copied again.
    assert {key: (folder / key).stat().st_ino for key in before} == before
    assert _files(folder) == sorted([*before, *new])
    assert not [p for p in folder.rglob(".*")]


def test_backup_without_images_copies_nothing(sqlite_app, tmp_path):
    result = sqlite_app.test_cli_runner().invoke(
        args=["backup", "--no-media", str(tmp_path / "a.db")]
    )
    assert result.exit_code == 0, result.output
    assert "Images" not in result.output
    assert not (tmp_path / "media").exists()


def test_backup_refuses_to_copy_images_onto_the_live_folder(sqlite_app):
    target = Path(sqlite_app.instance_path) / "copy.db"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "live media folder" in result.output
    assert not target.exists()


def test_backup_names_files_its_images_list_but_the_store_lost(sqlite_app, tmp_path):
    media = add_media(sqlite_app)
    lost = stored_keys(media)[0]
    (Path(sqlite_app.instance_path) / "media" / lost).unlink()
    result = sqlite_app.test_cli_runner().invoke(
        args=["backup", str(tmp_path / "a.db")]
    )
    assert result.exit_code == 0, result.output
    assert "1 file(s) that images in this backup list are not in" in result.output
    assert lost in result.output and "flask media check" in result.output


def test_backup_restores_database_and_images(sqlite_app, make_app, tmp_path):
    media = add_media(sqlite_app)
    with sqlite_app.app_context():
        make_article(body=f"![]({MEDIA_PATH}{media.id})")  # shown: readers may ask
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "folio.db"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    shutil.rmtree(Path(sqlite_app.instance_path) / "media")
    restored = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}",
        MEDIA_STORAGE=str(tmp_path / "backups" / "media"),
    )
    client = restored.test_client()
    redirect = client.get(f"/media/{media.id}")
    assert redirect.status_code == 302
    assert client.get(redirect.headers["Location"]).status_code == 200
    check = restored.test_cli_runner().invoke(args=["media", "check"])
    assert check.exit_code == 0, check.output


def test_backup_with_images_on_s3_says_where_they_are(make_app, tmp_path):
    s3_app = make_app(
        MEDIA_STORAGE="s3://folio-media/site",
        MEDIA_S3_ENDPOINT_URL="https://s3.example.net",
    )
    with s3_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
    result = s3_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[-1]
    assert line.startswith("Images: not copied; they are in s3://folio-media/site/.")
    assert "versioning" in line
    assert (
        "aws s3 sync --endpoint-url https://s3.example.net s3://folio-media/site/"
        in line
    )
    assert not (tmp_path / "media").exists()
