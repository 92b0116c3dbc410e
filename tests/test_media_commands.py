"""`flask media process`, `prune` and `check` on the local store."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from blueprints.media.images import inspect_upload
from blueprints.media.processing import limits
from blueprints.media.processing import stored_keys
from blueprints.media.variants import key_for
from blueprints.media.variants import upload_key
from models import Media
from models import MediaStatus
from models import db
from storage.media_files import media_store
from storage.transactions import write_transaction
from tests.support.images import add_media
from tests.support.images import image_bytes

LONG_AGO = time.time() - 3 * 3600


def waiting_image(app, data: bytes, filename: str = "left.jpg") -> int:
    """A row left processing with its upload stored, as a worker that died leaves it."""
    with app.app_context():
        image = inspect_upload(data, filename, "", limits())
        media_store().put(upload_key(image.sha256), image.data, "image/jpeg")
        with write_transaction():
            media = Media(
                sha256=image.sha256,
                filename=filename,
                format="jpeg",
                width=image.width,
                height=image.height,
                bytes=len(image.data),
            )
            db.session.add(media)
        return media.id


def _row(app, media_id: int) -> Media:
    with app.app_context():
        media = db.session.get(Media, media_id)
        db.session.expunge(media)
        return media


def _folder(app) -> Path:
    return Path(app.instance_path) / "media"


def _age(app, key: str) -> None:
    os.utime(_folder(app) / key, (LONG_AGO, LONG_AGO))


def test_media_process_makes_the_sizes_of_images_left_waiting(app, runner):
    left = waiting_image(app, image_bytes(size=(1000, 600)))
    gone = waiting_image(app, image_bytes(colour=(1, 2, 3)), "gone.jpg")
    with app.app_context():
        media_store().delete([upload_key(_row(app, gone).sha256)])
    result = runner.invoke(args=["media", "process"])
    assert result.exit_code == 0, result.output
    assert f"Image {left} (left.jpg): ready." in result.output
    assert f"Image {gone} (gone.jpg): failed." in result.output
    assert "Made the sizes of 1 image(s); 1 failed." in result.output
    media = _row(app, left)
    assert media.status == MediaStatus.READY
    assert all((_folder(app) / key).is_file() for key in stored_keys(media))
    assert not (_folder(app) / upload_key(media.sha256)).exists()
    assert "missing" in _row(app, gone).error


def test_media_process_with_nothing_waiting(app, runner):
    add_media(app)
    result = runner.invoke(args=["media", "process"])
    assert result.exit_code == 0, result.output
    assert "No image is waiting for its sizes." in result.output


@pytest.fixture
def cluttered(app):
    """A ready image, a waiting one, and files nobody accounts for."""
    ready = add_media(app)
    waiting = _row(app, waiting_image(app, image_bytes(colour=(9, 9, 9))))
    stray_sha = "cd" * 32
    store_keys = {
        "stray_size": key_for(stray_sha, 480, "webp"),
        "stray_upload": upload_key(stray_sha),
        # The ready image's upload should have been deleted; a crash kept it.
        "left_upload": upload_key(ready.sha256),
        # A size of the waiting image, written before its row says so.
        "in_progress": key_for(waiting.sha256, 480, "webp"),
        "recent": key_for("ef" * 32, 480, "webp"),
    }
    with app.app_context():
        for key in store_keys.values():
            media_store().put(key, b"bytes", "image/webp")
    for name in ("stray_size", "stray_upload", "left_upload", "in_progress"):
        _age(app, store_keys[name])
    return ready, waiting, store_keys


def test_media_prune_dry_run_lists_and_keeps(app, runner, cluttered):
    ready, waiting, keys = cluttered
    before = sorted(p for p in _folder(app).rglob("*") if p.is_file())
    result = runner.invoke(args=["media", "prune", "--dry-run"])
    assert result.exit_code == 0, result.output
    listed = result.output.splitlines()[:-1]
    assert listed == sorted(
        [keys["stray_size"], keys["stray_upload"], keys["left_upload"]]
    )
    assert "3 file(s) in" in result.output and "would be deleted" in result.output
    assert sorted(p for p in _folder(app).rglob("*") if p.is_file()) == before


def test_media_prune_deletes_only_what_no_row_accounts_for(app, runner, cluttered):
    ready, waiting, keys = cluttered
    result = runner.invoke(args=["media", "prune"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 file(s) from" in result.output
    for name in ("stray_size", "stray_upload", "left_upload"):
        assert not (_folder(app) / keys[name]).exists(), name
    for name in ("in_progress", "recent"):
        assert (_folder(app) / keys[name]).exists(), name
    assert (_folder(app) / upload_key(waiting.sha256)).exists()
    assert all((_folder(app) / key).exists() for key in stored_keys(ready))
    again = runner.invoke(args=["media", "prune", "--keep-recent", "0"])
    assert keys["recent"] in again.output
    assert not (_folder(app) / keys["recent"]).exists()
    last = runner.invoke(args=["media", "prune"])
    assert "belongs to an image" in last.output


def test_media_check_passes_then_names_a_missing_file(app, runner):
    media = add_media(app)
    ok = runner.invoke(args=["media", "check"])
    assert ok.exit_code == 0, ok.output
    keys = stored_keys(media)
    assert f"1 ready image(s), {len(keys)} file(s): all in" in ok.output
    (_folder(app) / keys[0]).unlink()
    bad = runner.invoke(args=["media", "check"])
    assert bad.exit_code == 1
    assert f"Image {media.id} (photo.jpg): missing {keys[0]}" in bad.output
    assert f"1 of {len(keys)} file(s) of 1 image(s) are missing" in bad.output


def test_media_check_ignores_images_not_ready(app, runner):
    waiting_image(app, image_bytes())
    result = runner.invoke(args=["media", "check"])
    assert result.exit_code == 0, result.output
    assert "0 ready image(s), 0 file(s)" in result.output
