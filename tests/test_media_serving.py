"""/media/ on the local store: only the sizes Folio made, kept a year; /media/<id> redirects."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints.media.pictures import MEDIA_PATH
from blueprints.media.processing import stored_keys
from blueprints.media.variants import key_for
from blueprints.media.variants import upload_key
from models import ArticleStatus
from models import Media
from models import MediaStatus
from models import db
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.images import add_media
from tests.support.images import image_bytes

YEAR = "public, max-age=31536000, immutable"


@pytest.fixture
def media(app) -> Media:
    return add_media(app, image_bytes(size=(1200, 800)))


def _folder(app) -> Path:
    return Path(app.instance_path) / "media"


def test_media_file_is_served_with_its_headers(client, media):
    key = key_for(media.sha256, 480, "webp")
    response = client.get(f"/media/{key}")
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.data[:4] == b"RIFF" and response.data[8:12] == b"WEBP"
    assert response.headers["Cache-Control"] == YEAR
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["ETag"]


def test_media_file_fallback_format_has_its_own_type(client, media):
    response = client.get(f"/media/{key_for(media.sha256, 960, 'jpeg')}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data[:3] == b"\xff\xd8\xff"


def test_media_file_answers_if_none_match_with_304(client, media):
    key = key_for(media.sha256, 480, "webp")
    etag = client.get(f"/media/{key}").headers["ETag"]
    again = client.get(f"/media/{key}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["Cache-Control"] == YEAR


def test_media_file_head_has_the_headers_and_no_body(client, media):
    key = key_for(media.sha256, 480, "webp")
    full = client.get(f"/media/{key}")
    head = client.head(f"/media/{key}")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(full.data))
    assert head.headers["Content-Type"] == "image/webp"
    assert head.headers["Cache-Control"] == YEAR


def test_media_upload_waiting_on_disk_is_never_served(app, client):
    sha = "ab" * 32
    path = _folder(app) / upload_key(sha)
    path.parent.mkdir(parents=True)
    path.write_bytes(image_bytes())  # the original, metadata and all
    assert client.get(f"/media/{upload_key(sha)}").status_code == 404
    assert client.head(f"/media/{upload_key(sha)}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/../instance/folio.db",
        "/media/ab/../../secret_key",
        "/media/%2e%2e/secret_key",
        "/media/ab/%2e%2e/%2e%2e/secret_key",
        "/media/%2fetc%2fpasswd",
        "/media//etc/passwd",
        "/media/ab/" + "ab" * 32 + "-480.WEBP",
        "/media/AB/" + "AB" * 32 + "-480.webp",
        "/media/ab/" + "ab" * 32 + "-480.svg",
        "/media/ab/" + "ab" * 32 + "-480.webp.upload",
        "/media/ab/" + "ab" * 32 + ".upload",
        "/media/ab/notes.txt",
        "/media/secret_key",
    ],
)
def test_media_names_outside_the_served_pattern_are_404(app, client, media, path):
    # Real files sit beside the sizes, so a 404 is the pattern's doing.
    (_folder(app) / "ab").mkdir(exist_ok=True)
    (_folder(app) / "ab" / "notes.txt").write_text("private")
    (_folder(app) / "secret_key").write_text("private")
    # Werkzeug answers a doubled slash with a 308 to the merged path first.
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert b"private" not in response.data


def test_media_size_not_stored_is_404(client, media):
    assert (
        client.get(f"/media/{key_for(media.sha256, 2400, 'webp')}").status_code == 404
    )
    other = "cd" * 32
    assert client.get(f"/media/{key_for(other, 480, 'webp')}").status_code == 404


def test_media_id_is_404_to_readers_until_a_visible_article_shows_it(
    app, client, media
):
    assert client.get(f"/media/{media.id}").status_code == 404
    with app.app_context():
        make_article(body=f"![]({MEDIA_PATH}{media.id})", status=ArticleStatus.DRAFT)
    assert client.get(f"/media/{media.id}").status_code == 404
    with app.app_context():
        make_article(body=f"![]({MEDIA_PATH}{media.id})")
    assert client.get(f"/media/{media.id}").status_code == 302


def test_media_id_redirects_to_the_current_largest_file(app, client, media):
    with app.app_context():
        make_article(body=f"![]({MEDIA_PATH}{media.id})")
    response = client.get(f"/media/{media.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/media/" + key_for(
        media.sha256, 1200, "jpeg"
    )
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert client.get(response.headers["Location"]).status_code == 200


def test_media_id_unknown_or_not_ready_is_404(app, client, media):
    assert client.get("/media/999999").status_code == 404
    with app.app_context():
        with write_transaction():
            db.session.get(Media, media.id).status = MediaStatus.PROCESSING
    assert client.get(f"/media/{media.id}").status_code == 404


def test_media_every_stored_key_is_served(client, media):
    keys = stored_keys(media)
    assert keys
    for key in keys:
        assert client.get(f"/media/{key}").status_code == 200
