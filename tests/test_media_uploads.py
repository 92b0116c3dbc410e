"""Uploading to the media library: every bad file refused with a message, good ones stored clean."""

from __future__ import annotations

import html
import io
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PIL import features
from sqlalchemy import func
from sqlalchemy import select

from blueprints.media.pictures import Picture
from models import Article
from models import Media
from models import Role
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.images import image_bytes
from tests.support.staff_support import sign_in_as
from tests.support.staff_support import staff_client

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/staff/media"}


def media_files(app) -> set[str]:
    """Every file under the app's media folder."""
    root = Path(app.instance_path) / "media"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def media_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Media.id)))


def post_files(client, files, alt="", htmx=False, **fields):
    """POST files [(bytes, name[, content type])] to the upload endpoint."""
    parts = [(io.BytesIO(f[0]), *f[1:]) for f in files]
    data = {"file": parts, "alt": alt, **fields}
    return client.post(
        "/staff/media",
        data=data,
        content_type="multipart/form-data",
        headers=HTMX if htmx else {},
    )


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def png_bomb(width: int, height: int) -> bytes:
    """A one-colour 1-bit PNG of width x height: a few kB that decode to far more."""
    row = b"\x00" * (1 + (width + 7) // 8)
    squeeze = zlib.compressobj(9)
    body = b"".join(squeeze.compress(row * 1000) for _ in range(height // 1000))
    body += squeeze.compress(row * (height % 1000)) + squeeze.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return len(data).to_bytes(4, "big") + kind + data + crc.to_bytes(4, "big")

    header = (
        width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x01\x00\x00\x00\x00"
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", body)
        + chunk(b"IEND", b"")
    )


def many_frames_gif(frames: int) -> bytes:
    """An animated GIF of tiny frames, alternating colours (kept apart by Pillow)."""
    images = [
        Image.new("RGB", (2, 2), (255, 0, 0) if i % 2 else (0, 0, 255))
        for i in range(frames)
    ]
    out = io.BytesIO()
    images[0].save(
        out, "GIF", save_all=True, append_images=images[1:], duration=10, optimize=False
    )
    return out.getvalue()


def jpeg_with_zip() -> bytes:
    """A valid JPEG with a ZIP archive appended (a classic polyglot)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", "<script>alert(1)</script>")
    return image_bytes("JPEG", (64, 48)) + archive.getvalue()


PNG = image_bytes("PNG", (64, 48))
JPEG = image_bytes("JPEG", (64, 48))
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
    b'height="10"><script>alert(document.cookie)</script><rect width="10" '
    b'height="10"/></svg>'
)
NOT_AN_IMAGE = "not an image Folio can read"
OTHER_DATA = "of other data after the"
TOO_LARGE_DECODED = "too large once decoded"

# (id, files, app settings, status, message)
BAD_UPLOADS = [
    ("text", [(b"Just some notes.\n", "notes.txt")], {}, 422, NOT_AN_IMAGE),
    ("text-named-jpg", [(b"Just some notes.\n", "notes.jpg")], {}, 422, NOT_AN_IMAGE),
    (
        "png-named-jpg",
        [(PNG, "photo.jpg")],
        {},
        422,
        "says it is JPEG but it is a PNG image",
    ),
    (
        "png-declared-jpeg",
        [(PNG, "photo.png", "image/jpeg")],
        {},
        422,
        "says it is JPEG but it is a PNG image",
    ),
    (
        "png-with-html",
        [(PNG + b"<html><script>alert(1)</script></html>", "x.png")],
        {},
        422,
        OTHER_DATA + " PNG image",
    ),
    (
        "jpeg-with-zip",
        [(jpeg_with_zip(), "x.jpg")],
        {},
        422,
        OTHER_DATA + " JPEG image",
    ),
    # 400 megapixels of one colour in a few kB: over Pillow's own bomb threshold.
    ("bomb", [(png_bomb(20_000, 20_000), "bomb.png")], {}, 422, TOO_LARGE_DECODED),
    (
        "over-the-site-pixel-limit",
        [(png_bomb(1_200, 1_200), "big.png")],
        {"MEDIA_MAX_PIXELS": 1_000_000},
        422,
        TOO_LARGE_DECODED,
    ),
    (
        "thousands-of-frames",
        [(many_frames_gif(2_000), "spin.gif")],
        {},
        422,
        "The animation has 2,000 frames; the most accepted is 300",
    ),
    ("truncated-jpeg", [(JPEG[: len(JPEG) // 2], "cut.jpg")], {}, 422, "cut short"),
    ("empty", [(b"", "empty.jpg")], {}, 422, "The file is empty (0 bytes)."),
    (
        "over-the-size-limit",
        [(b"\x00" * 2_000_000, "zeros.jpg")],
        {"MEDIA_MAX_MB": 1},
        413,
        "The upload is larger than 1 MB",
    ),
    (
        "just-over-the-file-limit",
        [(b"\x00" * 1_010_000, "zeros.jpg")],
        {"MEDIA_MAX_MB": 1},
        422,
        "the largest accepted is 1 MB",
    ),
    ("svg", [(SVG, "drawing.svg")], {}, 422, "SVG images are not accepted"),
    ("svg-named-png", [(SVG, "drawing.png")], {}, 422, "SVG images are not accepted"),
    ("path", [(PNG, "../../etc/passwd.png")], {}, 422, "contains a folder path"),
    ("nul-in-name", [(PNG, "evil\x00.png")], {}, 422, "invisible control characters"),
    (
        "long-name",
        [(PNG, "a" * 296 + ".png")],
        {},
        422,
        "The file name is 300 characters long",
    ),
    ("no-file", [], {}, 422, "Choose an image file to upload."),
    (
        "one-bad-of-two",
        [(PNG, "fine.png"), (b"nope", "bad.png")],
        {},
        422,
        f"bad.png: This file is {NOT_AN_IMAGE}",
    ),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("files", "settings", "status", "message"),
    [case[1:] for case in BAD_UPLOADS],
    ids=[case[0] for case in BAD_UPLOADS],
)
def test_upload_bad_file_is_refused(make_app, files, settings, status, message, htmx):
    app = make_app(**settings)
    client, _ = staff_client(app, Role.EDITOR)
    before = media_files(app)
    response = post_files(client, files, alt="An image", htmx=htmx)
    assert response.status_code == status
    page = text_of(response)
    assert message in page
    assert "Nothing was uploaded." in page
    if htmx:
        assert page.lstrip().startswith('<form id="media-upload"')
        assert response.headers["HX-Retarget"] == "#media-upload"
        assert "HX-Request" in response.headers["Vary"]
    else:
        assert page.lstrip().lower().startswith("<!doctype html>")
        assert 'id="media-upload"' in page
    # The message is in the form's live region and the file input is marked.
    assert 'id="media-upload-status" role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert media_rows(app) == 0
    assert media_files(app) == before


class Zeros(io.RawIOBase):
    """A stream of size zero bytes that makes none of them until read; counts reads."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = base + offset
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = bytes(n)
        self.position += n
        self.read_bytes += n
        return n


def test_upload_of_a_hundred_megabytes_is_refused_unread(app):
    """A body over the cap is answered 413 from its Content-Length, never read."""
    client, _ = staff_client(app, Role.EDITOR)
    body = Zeros(100 * 1024 * 1024)
    for headers in ({}, HTMX):
        response = client.post(
            "/staff/media",
            input_stream=body,
            content_type="multipart/form-data; boundary=x",
            headers=headers,
        )
        assert response.status_code == 413
        assert "The upload is larger than 20 MB" in text_of(response)
        body.seek(0)
    assert body.read_bytes == 0
    assert media_rows(app) == 0
    assert media_files(app) == set()


def noise_png() -> bytes:
    """A PNG of about 1.9 MB (stored without compression)."""
    noise = Image.frombytes("RGB", (800, 800), bytes(range(256)) * 7500)
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    return out.getvalue()


def test_upload_over_max_content_length_is_accepted(app):
    """The 1 MiB limit of other forms does not apply to an upload (up to the cap)."""
    data = noise_png()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    client, _ = staff_client(app, Role.EDITOR)
    response = post_files(client, [(data, "noise.png")], alt="Noise")
    assert response.status_code == 303
    assert media_rows(app) == 1


def test_upload_by_a_moderator_is_forbidden(app):
    client, _ = staff_client(app, Role.MODERATOR)
    for htmx in (False, True):
        response = post_files(client, [(PNG, "x.png")], htmx=htmx)
        assert response.status_code == 403
        # Said in words: the error page, or for htmx the fragment for #alerts.
        assert "permission" in text_of(response).lower()
    assert media_rows(app) == 0
    assert media_files(app) == set()


def test_upload_anonymous_goes_to_sign_in(client, app):
    response = post_files(client, [(PNG, "x.png")])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")
    assert media_rows(app) == 0
    assert media_files(app) == set()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_upload_without_csrf_token_is_refused(make_app, htmx):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        sign_in_as(client, make_user(role=Role.EDITOR))
    response = post_files(client, [(PNG, "x.png")], htmx=htmx)
    assert response.status_code == 400
    assert "expired" in text_of(response)
    assert media_rows(app) == 0
    assert media_files(app) == set()


def test_upload_with_csrf_token_works_over_max_content_length(make_app):
    """The token is checked once the limit is raised: a large upload still gets in."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        sign_in_as(client, make_user(role=Role.EDITOR))
    page = client.get("/staff/media").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = noise_png()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    response = post_files(client, [(data, "noise.png")], csrf_token=token)
    assert response.status_code == 303
    assert media_rows(app) == 1


def stored_images(app, media_id: int) -> list[Image.Image]:
    """Every stored file of an image, opened with Pillow."""
    root = Path(app.instance_path) / "media"
    with app.app_context():
        picture = Picture.of(db.session.get(Media, media_id))
    paths = [
        root / picture.url(size.width, fmt).removeprefix("/media/")
        for size in picture.sizes
        for fmt in size.files
    ]
    assert paths
    return [Image.open(path) for path in paths]


def upload_one(app, data: bytes, name: str) -> Media:
    client, _ = staff_client(app, Role.EDITOR)
    response = post_files(client, [(data, name)], alt="Alt")
    assert response.status_code == 303, text_of(response)
    with app.app_context():
        media = db.session.scalar(select(Media))
        db.session.expunge(media)
    assert response.headers["Location"] == f"/staff/media/{media.id}"
    return media


def test_jpeg_is_turned_upright_and_loses_its_exif(app):
    gps = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    data = image_bytes("JPEG", (1200, 800), exif={0x0112: 6, 0x8825: gps})
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    media = upload_one(app, data, "phone.jpg")
    assert media.status.value == "ready"
    assert (media.width, media.height) == (800, 1200)
    assert media.format == "jpeg"
    for stored in stored_images(app, media.id):
        assert stored.height > stored.width  # rotated upright
        assert dict(stored.getexif()) == {}
        assert not stored.getexif().get_ifd(0x8825)
        assert "exif" not in stored.info


def test_png_with_alpha_keeps_a_png_fallback(app):
    media = upload_one(app, image_bytes("PNG", (300, 200), mode="RGBA"), "logo.png")
    assert media.format == "png"
    formats = {stored.format for stored in stored_images(app, media.id)}
    assert formats == {"PNG", "WEBP"}
    for stored in stored_images(app, media.id):
        assert stored.mode in ("RGBA", "LA", "PA") or "transparency" in stored.info


def test_webp_is_stored_as_webp_alone(app):
    media = upload_one(app, image_bytes("WEBP", (320, 200)), "pic.webp")
    assert media.format == "webp"
    assert {stored.format for stored in stored_images(app, media.id)} == {"WEBP"}


def test_static_gif(app):
    media = upload_one(app, image_bytes("GIF", (320, 200)), "still.gif")
    assert media.format == "gif"
    assert {stored.format for stored in stored_images(app, media.id)} == {"GIF", "WEBP"}


def test_small_animation_stays_animated(app):
    media = upload_one(app, many_frames_gif(6), "spin.gif")
    assert media.format == "gif"
    for stored in stored_images(app, media.id):
        assert getattr(stored, "n_frames", 1) == 6


@pytest.mark.skipif(not features.check("avif"), reason="Pillow without AVIF")
def test_avif_falls_back_to_jpeg(app):
    media = upload_one(app, image_bytes("AVIF", (320, 200)), "pic.avif")
    assert media.format == "jpeg"
    assert {stored.format for stored in stored_images(app, media.id)} == {
        "JPEG",
        "WEBP",
    }


def test_identical_file_twice_is_stored_once(app):
    client, _ = staff_client(app, Role.EDITOR)
    first = post_files(client, [(PNG, "first.png")], alt="One")
    assert first.status_code == 303
    again = post_files(client, [(PNG, "again.png")], alt="Two", htmx=True)
    assert again.status_code == 200
    page = text_of(again)
    assert "already in the library as “first.png”" in page
    assert page.count('<li class="media-card"') == 1
    assert media_rows(app) == 1
    # Twice in one post: one card.
    both = post_files(client, [(PNG, "a.png"), (PNG, "b.png")], htmx=True)
    assert text_of(both).count('<li class="media-card"') == 1
    assert media_rows(app) == 1


def test_several_files_in_one_post(app):
    client, _ = staff_client(app, Role.EDITOR)
    files = [
        (image_bytes("PNG", (64, 48), (10 * n, 20, 30)), f"shot-{n}.png")
        for n in range(3)
    ]
    response = post_files(client, files, alt="Screenshots", htmx=True)
    assert response.status_code == 200
    page = text_of(response)
    assert page.lstrip().startswith('<li class="media-card" id="media-')
    assert page.count('<li class="media-card"') == 3
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]
    assert "Added 3 images to the library." in page
    assert 'data-markdown="![Screenshots](/media/' in page
    assert media_rows(app) == 3
    plain = post_files(
        client, [(image_bytes("PNG", (64, 48), (200, 1, 1)), "x.png"), (JPEG, "y.jpg")]
    )
    assert plain.status_code == 303
    assert plain.headers["Location"] == "/staff/media"
    assert media_rows(app) == 5


def test_upload_can_set_an_articles_cover(app):
    with app.app_context():
        article_id = make_article(body="No images.").id
    client, _ = staff_client(app, Role.EDITOR)
    response = post_files(
        client, [(PNG, "cover.png")], alt="Cover", article_id=article_id, use="cover"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/articles/{article_id}/edit"
    with app.app_context():
        media_id = db.session.scalar(select(Media.id))
        article = db.session.get(Article, article_id)
        assert article.cover_id == media_id
        assert [m.id for m in article.images] == [media_id]
    missing = post_files(
        client, [(JPEG, "c.jpg")], article_id=99_999, use="cover", htmx=True
    )
    assert missing.status_code == 404
    assert media_rows(app) == 1
