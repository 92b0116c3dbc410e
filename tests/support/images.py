"""Images for tests, drawn with Pillow (nothing downloaded), and library rows made from them."""

from __future__ import annotations

import io

from PIL import Image
from PIL import ImageDraw

from blueprints.media.images import inspect_upload
from blueprints.media.library import add_upload
from blueprints.media.processing import limits
from models import Media
from models import db


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (1200, 800),
    colour: tuple[int, int, int] = (40, 90, 160),
    exif: dict[int, object] | None = None,
    mode: str = "RGB",
) -> bytes:
    """An image file of the given format and size, with a shape on it."""
    image = Image.new(mode, size, colour if mode == "RGB" else None)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse([w // 5, h // 5, w * 3 // 5, h * 4 // 5], fill=(240, 200, 60))
    out = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        for key, value in exif.items():
            tags[key] = value
        options["exif"] = tags.tobytes()
    image.save(out, fmt, **options)
    return out.getvalue()


def add_media(
    app, data: bytes | None = None, filename: str = "photo.jpg", alt: str = "A photo"
) -> Media:
    """Put an image in the app's library (sizes made at once: MEDIA_WORKERS=0)."""
    data = data if data is not None else image_bytes()
    with app.app_context():
        inspected = inspect_upload(data, filename, "", limits())
        media = add_upload(inspected, None, alt).media
        media = db.session.get(Media, media.id)
        db.session.expunge(media)
        return media
