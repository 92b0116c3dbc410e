"""Uploads decoded by Pillow: phones' multi-picture JPEGs, damaged files, tall images, metadata."""

import io
import random

import pytest
from PIL import Image

from blueprints.media.images import Limits
from blueprints.media.images import UploadProblem
from blueprints.media.images import inspect_upload
from blueprints.media.pictures import Picture
from blueprints.media.variants import MAX_SIDE
from blueprints.media.variants import make_sizes
from models import MediaStatus
from tests.support.images import add_media
from tests.support.images import image_bytes

LIMITS = Limits(max_bytes=20_000_000, max_pixels=60_000_000, max_frames=300)


def mpo_bytes() -> bytes:
    """A JPEG with a second picture after it, as phones write (depth, gain map)."""
    first = Image.new("RGB", (640, 480), (200, 60, 40))
    second = Image.new("RGB", (160, 120), (0, 0, 0))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue()


def test_multi_picture_jpeg_is_a_jpeg_of_one_frame(app):
    data = mpo_bytes()
    inspected = inspect_upload(data, "PXL_2026.jpg", "image/jpeg", LIMITS)
    assert (inspected.format, inspected.frames) == ("JPEG", 1)
    media = add_media(app, data, "PXL_2026.jpg")
    assert media.status == MediaStatus.READY
    assert media.format == "jpeg"
    assert [s.width for s in Picture.of(media).sizes] == [480, 640]


@pytest.mark.parametrize("fmt", ["AVIF", "GIF", "PNG", "WEBP", "JPEG"])
def test_damaged_files_are_refused_never_raised(fmt):
    data = bytearray(image_bytes(fmt, (64, 48)))
    rng = random.Random(fmt)
    for _ in range(150):
        broken = bytearray(data)
        for _ in range(3):
            broken[rng.randrange(len(broken))] = rng.randrange(256)
        try:
            inspect_upload(bytes(broken), f"x.{fmt.lower()}", "", LIMITS)
        except UploadProblem:
            pass


def test_a_very_tall_image_gets_sizes_webp_can_hold(app):
    data = image_bytes("PNG", (1000, 17000))
    media = add_media(app, data, "long-screenshot.png")
    assert media.status == MediaStatus.READY
    largest = Picture.of(media).largest
    assert largest.height <= MAX_SIDE
    assert largest.width == MAX_SIDE * 1000 // 17000


def test_gif_comment_is_not_kept_in_any_size():
    frames = [Image.new("P", (40, 30), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        comment=b"GPS 48.85N 2.29E home",
    )
    _, sizes = make_sizes(out.getvalue(), LIMITS)
    for _, files in sizes:
        for blob in files.values():
            assert b"48.85N" not in blob
            assert "comment" not in Image.open(io.BytesIO(blob)).info


def test_jpeg_exif_and_gps_are_not_kept():
    data = image_bytes(
        "JPEG",
        (800, 600),
        exif={0x0112: 6, 0x010F: "PhoneMaker", 0x8825: {2: (48, 51, 0)}},
    )
    _, sizes = make_sizes(data, LIMITS)
    for size, files in sizes:
        for blob in files.values():
            image = Image.open(io.BytesIO(blob))
            assert not image.getexif()
            assert b"PhoneMaker" not in blob
            assert image.size == (size.width, size.height)
    assert sizes[-1][0].height > sizes[-1][0].width  # turned upright


def test_the_same_file_again_retries_an_image_that_failed(app):
    from blueprints.media.library import add_upload
    from blueprints.media.processing import limits
    from models import Media
    from models import db
    from storage.transactions import write_transaction

    data = image_bytes("PNG", (300, 200))
    media = add_media(app, data, "retry.png")
    with app.app_context():
        with write_transaction():
            row = db.session.get(Media, media.id)
            row.status, row.error, row.variants = MediaStatus.FAILED, "disk full", "[]"
        added = add_upload(inspect_upload(data, "retry.png", "", limits()), None)
        assert added.existing and added.media.id == media.id
        assert db.session.get(Media, media.id).status == MediaStatus.READY


def test_alt_text_alone_keeps_the_caption(app, htmx_headers):
    from models import Media
    from models import Role
    from models import db
    from storage.transactions import write_transaction
    from tests.support.staff_support import staff_client

    media = add_media(app)
    with app.app_context():
        with write_transaction():
            db.session.get(Media, media.id).caption = "Kept caption"
    client, _ = staff_client(app, Role.EDITOR)
    response = client.post(
        f"/staff/media/{media.id}", data={"alt": "New words"}, headers=htmx_headers
    )
    assert response.status_code == 200
    with app.app_context():
        row = db.session.get(Media, media.id)
        assert (row.alt, row.caption) == ("New words", "Kept caption")


def test_a_stale_image_is_queued_once(app, monkeypatch):
    from datetime import timedelta

    from blueprints.media.processing import processor
    from blueprints.media.processing import resume_stale
    from models import Media
    from models import db
    from models import utcnow
    from storage.transactions import write_transaction

    media = add_media(app)
    submitted = []
    with app.app_context():
        monkeypatch.setattr(processor(), "submit", submitted.append)
        with write_transaction():
            row = db.session.get(Media, media.id)
            row.status = MediaStatus.PROCESSING
            row.updated_at = utcnow() - timedelta(hours=1)
        assert resume_stale() == 1
        assert resume_stale() == 0
    assert submitted == [media.id]


def test_editor_row_is_asked_again_until_ready(app, htmx_headers):
    from models import Media
    from models import Role
    from models import db
    from storage.transactions import write_transaction
    from tests.support.staff_support import staff_client

    media = add_media(app)
    client, _ = staff_client(app, Role.EDITOR)
    url = f"/staff/media/{media.id}/row?row=abc1&tries=3"
    ready = client.get(url, headers=htmx_headers)
    assert ready.status_code == 200 and "HX-Request" in ready.headers["Vary"]
    body = ready.get_data(as_text=True)
    assert body.lstrip().startswith('<li class="editor-upload" id="upload-abc1"')
    assert "data-ready" in body and "hx-get" not in body
    with app.app_context():
        with write_transaction():
            db.session.get(Media, media.id).status = MediaStatus.PROCESSING
    waiting = client.get(url, headers=htmx_headers).get_data(as_text=True)
    assert "data-ready" not in waiting and "tries=4" in waiting
    assert "Preparing sizes" in waiting
    last = client.get(url.replace("tries=3", "tries=60"), headers=htmx_headers)
    assert "hx-get" not in last.get_data(as_text=True)
    assert client.get(url).status_code == 302  # without htmx: the image's page
    assert (
        client.get(url.replace("row=abc1", "row=<x>"), headers=htmx_headers).status_code
        == 404
    )
    moderator, _ = staff_client(app, Role.MODERATOR, email="mod@example.com")
    assert moderator.get(url, headers=htmx_headers).status_code == 403
