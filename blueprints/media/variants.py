"""The sizes Folio stores of an image: a few widths, WebP plus a fallback format.

Every stored file is encoded afresh from decoded pixels, turned upright by its
EXIF orientation first, and written without EXIF, XMP, comments or GPS. Names
hold the SHA-256 of the uploaded bytes and the width, so the same upload
always gives the same names.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from PIL import Image
from PIL import ImageOps

from blueprints.media.images import Limits
from blueprints.media.images import frame_count
from blueprints.media.images import open_image
from blueprints.media.images import source_format as source_format_of

WIDTHS = (480, 960, 1600, 2400)
MAX_SIDE = 16383  # WebP's limit, in either direction
EXTENSION = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp"}
CONTENT_TYPE = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}


@dataclass(frozen=True)
class Size:
    """One stored width, in WebP and (unless the fallback is WebP) the fallback format."""

    width: int
    height: int
    files: dict[str, int]  # format -> bytes


def fallback_format(source_format: str, has_alpha: bool) -> str:
    """The format offered beside WebP to browsers without it."""
    return {
        "JPEG": "jpeg",
        "PNG": "png",
        "GIF": "gif",
        "WEBP": "webp",
    }.get(source_format, "png" if has_alpha else "jpeg")


def key_for(sha256: str, width: int, fmt: str) -> str:
    """The storage key (and the URL path under /media/) of one stored file."""
    return f"{sha256[:2]}/{sha256}-{width}.{EXTENSION[fmt]}"


def upload_key(sha256: str) -> str:
    """Where the upload waits until its sizes are made (never served)."""
    return f"{sha256[:2]}/{sha256}.upload"


def widths_for(width: int, height: int | None = None) -> list[int]:
    """The standard widths narrower than the image, and its own width up to 2400.

    A very tall image's widest size is narrower still: WebP holds at most
    16383 pixels a side (a long screenshot).
    """
    widest = min(width, WIDTHS[-1])
    if height and height > MAX_SIDE:
        widest = min(widest, max(1, MAX_SIDE * width // height))
    return [w for w in WIDTHS if w < widest] + [widest]


def make_sizes(data: bytes, limits: Limits) -> tuple[str, list[tuple[Size, dict]]]:
    """Decode data and encode every size: (fallback format, [(Size, {format: bytes})])."""
    image = open_image(data, limits)
    with image:
        if frame_count(image) > 1:
            return _animated(image, image.format)
        source_format = source_format_of(image)
        image.load()
        # In place: a 12-megapixel photo is 36 MB a copy.
        ImageOps.exif_transpose(image, in_place=True)
        icc = image.info.get("icc_profile")
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        )
        target = "RGBA" if has_alpha else "RGB"
        pixels = image if image.mode == target else image.convert(target)
        pixels.info = {}
        fallback = fallback_format(source_format, has_alpha)
        formats = ["webp"] if fallback == "webp" else ["webp", fallback]
        sizes = []
        # Widest first, each size made from the one before it: each resize
        # starts from a smaller image.
        frame = pixels
        for width in reversed(widths_for(pixels.width, pixels.height)):
            height = max(1, round(pixels.height * width / pixels.width))
            if (width, height) != frame.size:
                frame = frame.resize(
                    (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
                )
            encoded = {fmt: _encode(frame, fmt, icc) for fmt in formats}
            sizes.append(
                (Size(width, height, {f: len(b) for f, b in encoded.items()}), encoded)
            )
    return fallback, sizes[::-1]


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    if fmt == "jpeg":
        options.update(quality=82, optimize=True, progressive=True)
        image = image.convert("RGB")
    elif fmt == "webp":
        options.update(quality=80, method=4)
    elif fmt == "png":
        options.update(optimize=False, compress_level=6)
    image.save(out, fmt.upper(), **options)
    return out.getvalue()


def _animated(image: Image.Image, source_format: str):
    """An animation is kept at its own size, as WebP and (for a GIF) as GIF."""
    frames, durations = [], []
    for index in range(image.n_frames):
        image.seek(index)
        durations.append(image.info.get("duration", 100))
        frame = image.convert("RGBA")
        frame.info = {}  # a comment (GPS, a name) would be written to the copy
        frames.append(frame)
    keep = {k: image.info[k] for k in ("loop",) if k in image.info}
    fallback = "gif" if source_format == "GIF" else "webp"
    formats = ["webp"] if fallback == "webp" else ["webp", "gif"]
    encoded = {}
    for fmt in formats:
        out = io.BytesIO()
        frames[0].save(
            out,
            fmt.upper(),
            save_all=True,
            append_images=frames[1:],
            duration=durations,
            disposal=2,
            **keep,
        )
        encoded[fmt] = out.getvalue()
    width, height = image.size
    return fallback, [
        (Size(width, height, {f: len(b) for f, b in encoded.items()}), encoded)
    ]


def sizes_to_json(sizes: list[Size]) -> str:
    """The Media.variants column's JSON for these sizes."""
    return json.dumps([[s.width, s.height, s.files] for s in sizes])


def sizes_from_json(value: str | None) -> list[Size]:
    """The sizes a Media.variants column lists, narrowest first."""
    return [Size(w, h, dict(files)) for w, h, files in json.loads(value or "[]")]
