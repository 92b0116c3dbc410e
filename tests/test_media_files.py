"""The local image store: whole files or none, their modes, and only its own names."""

from __future__ import annotations

import os
import stat

import pytest

from storage import media_files
from storage.media_files import LocalMediaStore
from storage.media_files import MediaStoreError
from storage.media_files import store_from_config

SHA = "ab" * 32
SIZE = f"ab/{SHA}-480.webp"
UPLOAD = f"ab/{SHA}.upload"


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def store(tmp_path):
    return LocalMediaStore(tmp_path / "media")


def test_sizes_are_0640_uploads_0600_folders_0750(store):
    store.put(SIZE, b"size", "image/webp")
    store.put(UPLOAD, b"original", "application/octet-stream")
    assert _mode(store.root / SIZE) == 0o640
    assert _mode(store.root / UPLOAD) == 0o600
    assert _mode(store.root) == 0o750
    assert _mode(store.root / "ab") == 0o750


def test_a_failed_write_leaves_neither_the_key_nor_a_temporary_file(store, monkeypatch):
    store.put(SIZE, b"old", "image/webp")

    def no_space(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(media_files.os, "replace", no_space)
    with pytest.raises(MediaStoreError, match="No space left on device"):
        store.put(UPLOAD, b"new", "application/octet-stream")
    assert not (store.root / UPLOAD).exists()
    assert sorted(p.name for p in (store.root / "ab").iterdir()) == [SIZE.split("/")[1]]


def test_a_write_is_whole_before_its_name_appears(store, monkeypatch):
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        # At the rename the temporary file already holds every byte, synced.
        seen.append((os.path.basename(src), open(src, "rb").read()))
        assert not os.path.exists(dst)
        real_replace(src, dst)

    monkeypatch.setattr(media_files.os, "replace", replace)
    store.put(SIZE, b"x" * 100_000, "image/webp")
    [(temporary, data)] = seen
    assert temporary.startswith(".upload-")
    assert data == b"x" * 100_000
    assert (store.root / SIZE).read_bytes() == data


def test_keys_skips_temporary_and_hidden_files(store):
    store.put(SIZE, b"size", "image/webp")
    store.put(UPLOAD, b"original", "application/octet-stream")
    (store.root / "ab" / ".upload-k2j3h4").write_bytes(b"half")
    (store.root / ".DS_Store").write_bytes(b"")
    (store.root / "cd").mkdir()
    assert list(store.keys()) == [SIZE, UPLOAD]


def test_keys_of_a_store_never_written_is_empty(store):
    assert list(store.keys()) == []
    assert not store.root.exists()


@pytest.mark.parametrize(
    "key", ["../outside.webp", "ab/../../outside.webp", "/tmp/outside.webp", ".."]
)
def test_traversal_keys_reach_nothing_outside_the_folder(store, tmp_path, key):
    with pytest.raises(ValueError):
        store.put(key, b"x", "image/webp")
    with pytest.raises(ValueError):
        store.local_path(key)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_local_path_is_inside_the_folder(store):
    assert store.local_path(SIZE) == store.root / SIZE
    assert store.describe() == str(store.root)


def test_unreadable_folder_is_a_media_store_error(tmp_path):
    blocker = tmp_path / "media"
    blocker.write_text("a file where the folder should be")
    store = LocalMediaStore(blocker)
    with pytest.raises(MediaStoreError, match="cannot write"):
        store.put(SIZE, b"x", "image/webp")
    with pytest.raises(MediaStoreError, match="cannot read"):
        store.get(SIZE)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("", "instance/media"), ("/srv/folio-media", "/srv/folio-media")],
)
def test_media_storage_setting_picks_the_folder(make_app, setting, expected):
    app = make_app(MEDIA_STORAGE=setting)
    store = store_from_config(app)
    assert isinstance(store, LocalMediaStore)
    assert store.describe().endswith(expected)


@pytest.mark.parametrize("setting", ["media", "s3://", "ftp://host/x"])
def test_media_storage_setting_refuses_what_it_cannot_use(make_app, setting):
    with pytest.raises(SystemExit, match="FOLIO_MEDIA_STORAGE"):
        make_app(MEDIA_STORAGE=setting)
