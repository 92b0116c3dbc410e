"""Image storage on S3, against a real S3-compatible server (moto's, on 127.0.0.1).

The store's behaviours are checked on both backends by the same tests; then a
whole app with FOLIO_MEDIA_STORAGE=s3://... uploads, serves and deletes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints.media import library
from blueprints.media.processing import stored_keys
from blueprints.media.variants import upload_key
from models import Media
from models import MediaStatus
from models import db
from storage.media_files import LocalMediaStore
from storage.media_files import MediaStoreError
from storage.media_files import S3MediaStore
from tests.support.gunicorn_server import free_port
from tests.support.images import add_media
from tests.support.images import image_bytes
from tests.support.s3_server import REGION

KEY = "ab/" + "ab" * 32 + "-480.webp"
OTHER = "cd/" + "cd" * 32 + "-960.jpg"
PREFIX = "folio/media"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    """A LocalMediaStore in a temporary folder, or an S3MediaStore on moto."""
    if request.param == "local":
        return LocalMediaStore(tmp_path / "media")
    bucket = request.getfixturevalue("s3_bucket")
    return S3MediaStore(bucket.name, PREFIX, bucket.endpoint, REGION)


def test_store_puts_gets_lists_and_deletes(store):
    store.put(KEY, b"webp bytes", "image/webp")
    store.put(OTHER, b"jpeg bytes", "image/jpeg")
    assert store.get(KEY) == b"webp bytes"
    assert sorted(store.keys()) == sorted([KEY, OTHER])
    store.delete([KEY])
    assert store.get(KEY) is None
    assert list(store.keys()) == [OTHER]


def test_store_missing_key_is_none_and_deleting_it_is_fine(store):
    assert store.get(KEY) is None
    store.delete([KEY, OTHER])
    store.delete([])
    assert list(store.keys()) == []


def test_store_put_twice_keeps_the_last_bytes(store):
    store.put(KEY, b"first", "image/webp")
    store.put(KEY, b"second", "image/webp")
    assert store.get(KEY) == b"second"
    assert list(store.keys()) == [KEY]


@pytest.mark.parametrize(
    "key",
    [
        "../secret",
        "ab/../../etc/passwd",
        "/etc/passwd",
        "ab/cd/ef.webp",
        ".hidden",
        "ab/.hidden",
        "a b.webp",
        "ab\\..\\x",
        "",
        "AB/x.webp",
        "ab/x.webp\n",
    ],
)
def test_store_refuses_keys_it_could_not_have_made(store, key):
    for call in (
        lambda: store.put(key, b"x", "image/webp"),
        lambda: store.get(key),
        lambda: store.delete([key]),
    ):
        with pytest.raises(ValueError):
            call()
    assert list(store.keys()) == []


def test_s3_store_keeps_to_its_prefix(s3_bucket):
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="other/thing", Body=b"x")
    store = S3MediaStore(s3_bucket.name, "/folio/media/", s3_bucket.endpoint, REGION)
    store.put(KEY, b"bytes", "image/webp")
    assert s3_bucket.object_names() == [f"{PREFIX}/{KEY}", "other/thing"]
    assert list(store.keys()) == [KEY]
    assert store.describe() == f"s3://{s3_bucket.name}/{PREFIX}/"
    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=f"{PREFIX}/{KEY}")
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"


def test_s3_store_lists_more_than_one_page(s3_bucket):
    store = S3MediaStore(s3_bucket.name, PREFIX, s3_bucket.endpoint, REGION)
    keys = [f"ab/{n:064x}-480.webp" for n in range(1005)]
    for key in keys:
        store.put(key, b"x", "image/webp")
    assert sorted(store.keys()) == sorted(keys)
    store.delete(keys)  # two delete_objects calls: 1,000 at most each
    assert s3_bucket.object_names() == []


def test_s3_store_without_its_bucket_raises_media_store_error(s3_bucket):
    store = S3MediaStore("no-such-bucket", PREFIX, s3_bucket.endpoint, REGION)
    with pytest.raises(MediaStoreError, match="cannot write"):
        store.put(KEY, b"x", "image/webp")
    with pytest.raises(MediaStoreError, match="cannot list"):
        list(store.keys())


@pytest.fixture
def s3_app(make_app, s3_bucket):
    return make_app(
        MEDIA_STORAGE=s3_bucket.storage(PREFIX),
        MEDIA_S3_ENDPOINT_URL=s3_bucket.endpoint,
        MEDIA_S3_REGION=REGION,
    )


def test_upload_stores_the_sizes_in_the_bucket_under_the_prefix(s3_app, s3_bucket):
    media = add_media(s3_app, image_bytes(size=(1200, 800)))
    assert media.status == MediaStatus.READY
    keys = stored_keys(media)
    # 480 and 960 wide and the image's own 1200, each in WebP and JPEG.
    assert len(keys) == 6
    assert s3_bucket.object_names() == sorted(f"{PREFIX}/{key}" for key in keys)
    # The upload waited in the bucket too, and is gone once the sizes are made.
    assert f"{PREFIX}/{upload_key(media.sha256)}" not in s3_bucket.object_names()
    assert not (Path(s3_app.instance_path) / "media").exists()


def test_s3_file_is_served_with_its_headers(s3_app):
    media = add_media(s3_app)
    client = s3_app.test_client()
    for key in stored_keys(media):
        response = client.get(f"/media/{key}")
        assert response.status_code == 200
        assert response.mimetype == (
            "image/webp" if key.endswith(".webp") else "image/jpeg"
        )
        assert response.data[:4] in (b"RIFF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")
        assert response.headers["Cache-Control"] == (
            "public, max-age=31536000, immutable"
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"] == "inline"
        etag = response.headers["ETag"]
        again = client.get(f"/media/{key}", headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""


def test_s3_key_not_in_the_bucket_is_404(s3_app):
    missing = "ef/" + "ef" * 32 + "-480.webp"
    assert s3_app.test_client().get(f"/media/{missing}").status_code == 404


def test_s3_upload_key_is_never_served(s3_app, s3_bucket):
    sha = "ab" * 32
    s3_bucket.client.put_object(
        Bucket=s3_bucket.name, Key=f"{PREFIX}/{upload_key(sha)}", Body=b"original"
    )
    assert s3_app.test_client().get(f"/media/{upload_key(sha)}").status_code == 404


def test_deleting_an_image_removes_its_objects(s3_app, s3_bucket):
    media = add_media(s3_app)
    assert s3_bucket.object_names()
    with s3_app.app_context():
        assert not library.delete(db.session.get(Media, media.id))
    assert s3_bucket.object_names() == []


@pytest.fixture
def unreachable_app(make_app, s3_bucket):
    """An app whose S3 endpoint refuses connections (nothing listens there)."""
    return make_app(
        MEDIA_STORAGE="s3://folio-gone/media",
        MEDIA_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        MEDIA_S3_REGION=REGION,
    )


def test_unreachable_endpoint_is_a_clear_media_store_error(unreachable_app):
    with unreachable_app.app_context():
        with pytest.raises(MediaStoreError, match=r"cannot write .*127\.0\.0\.1"):
            add_media(unreachable_app)
        assert db.session.query(Media).count() == 0


def test_unreachable_endpoint_serving_is_503_with_retry_after(unreachable_app):
    response = unreachable_app.test_client().get(f"/media/{KEY}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.headers["Cache-Control"] == "no-store"
    assert b"nothing was saved" in response.data


def test_unreachable_endpoint_for_htmx_is_the_alert_fragment(
    unreachable_app, htmx_headers
):
    response = unreachable_app.test_client().get(f"/media/{KEY}", headers=htmx_headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.headers["HX-Retarget"] == "#alerts"
    assert b"<html" not in response.data


def test_media_commands_on_s3(s3_app, s3_bucket):
    media = add_media(s3_app)
    stray = f"{PREFIX}/ef/{'ef' * 32}-480.webp"
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=stray, Body=b"x")
    runner = s3_app.test_cli_runner()
    check = runner.invoke(args=["media", "check"])
    assert check.exit_code == 0, check.output
    assert f"all in s3://{s3_bucket.name}/{PREFIX}/" in check.output
    # Just written, so kept by default: it may be an upload in progress.
    recent = runner.invoke(args=["media", "prune"])
    assert "belongs to an image" in recent.output
    pruned = runner.invoke(args=["media", "prune", "--keep-recent", "0"])
    assert pruned.exit_code == 0, pruned.output
    assert "Deleted 1 file(s)" in pruned.output
    assert s3_bucket.object_names() == sorted(
        f"{PREFIX}/{key}" for key in stored_keys(media)
    )
    s3_bucket.client.delete_object(
        Bucket=s3_bucket.name, Key=f"{PREFIX}/{stored_keys(media)[0]}"
    )
    missing = runner.invoke(args=["media", "check"])
    assert missing.exit_code == 1
    assert f"missing {stored_keys(media)[0]}" in missing.output


def test_media_commands_with_s3_unreachable_say_so(unreachable_app):
    result = unreachable_app.test_cli_runner().invoke(args=["media", "check"])
    assert result.exit_code == 1
    assert "cannot list s3://folio-gone/media/" in result.output
