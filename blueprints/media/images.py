"""Is an uploaded file an image Folio accepts? Decided by decoding it, never by its name.

inspect_upload() reads the whole file with Pillow, under the site's byte,
pixel and frame limits, and answers an Inspected image or raises
UploadProblem with a sentence for the person who uploaded it.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image
from PIL import UnidentifiedImageError

from blueprints.media.containers import extra_bytes

# Pillow's names for the formats Folio accepts, and what people call them.
ACCEPTED = {
    "JPEG": "JPEG",
    "PNG": "PNG",
    "GIF": "GIF",
    "WEBP": "WebP",
    "AVIF": "AVIF",
}
EXTENSIONS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jpe": "JPEG",
    "jfif": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "avif": "AVIF",
}
MIME_TYPES = {
    "image/jpeg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/avif": "AVIF",
}
ACCEPT_ATTRIBUTE = ",".join(
    [*MIME_TYPES, *(f".{extension}" for extension in EXTENSIONS)]
)
MAX_NAME = 255
# Pillow's name for a JPEG that holds more pictures after the first (phones:
# depth maps, HDR gain maps). Only the first is decoded and kept.
MPO = "MPO"
# An animation is stored at its own size, and WebP holds 16383 pixels a side.
ANIMATION_MAX_SIDE = 16383
_SVG = re.compile(rb"<svg[\s>]", re.I)


class UploadProblem(ValueError):
    """A refused upload; str() is the message shown in the form."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    max_frames: int


@dataclass
class Inspected:
    """An upload that decoded completely within the limits."""

    data: bytes
    sha256: str
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP, AVIF
    width: int
    height: int
    frames: int
    filename: str


def clean_filename(name: str) -> str:
    """The name as people will see it; refuses paths, control characters and long names."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        return "image"
    if len(name) > MAX_NAME:
        raise UploadProblem(
            f"The file name is {len(name)} characters long; rename the file to "
            f"at most {MAX_NAME} characters."
        )
    if "/" in name or "\\" in name or name in (".", ".."):
        raise UploadProblem(
            "The file name contains a folder path (/ or \\). Upload the file by "
            "its own name."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise UploadProblem(
            "The file name contains invisible control characters. Rename the "
            "file and upload it again."
        )
    return name


def inspect_upload(
    data: bytes, filename: str, declared_type: str, limits: Limits
) -> Inspected:
    """Decode the whole upload and check it against the limits and its own claims."""
    name = clean_filename(filename)
    if not data:
        raise UploadProblem("The file is empty (0 bytes).")
    if len(data) > limits.max_bytes:
        raise UploadProblem(
            f"The file is {_megabytes(len(data))}; the largest accepted is "
            f"{_megabytes(limits.max_bytes)}."
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if (
        extension == "svg"
        or declared_type == "image/svg+xml"
        or _SVG.search(data[:4096])
    ):
        raise UploadProblem(
            "SVG images are not accepted: they can carry scripts. Export the "
            "picture as PNG or WebP and upload that."
        )
    decoded, width, height, frames = _decode(data, limits)
    image_format = "JPEG" if decoded == MPO else decoded
    _check_claims(image_format, extension, declared_type)
    # An MPO's other pictures follow its first, listed in its MPF segment;
    # they are never decoded or stored, so they are not a second file.
    extra = 0 if decoded == MPO else extra_bytes(image_format, data)
    if extra:
        raise UploadProblem(
            f"The file has {extra:,} bytes of other data after the "
            f"{ACCEPTED[image_format]} image: it may be two files in one. Export "
            "the picture again and upload that."
        )
    return Inspected(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        format=image_format,
        width=width,
        height=height,
        frames=frames,
        filename=name,
    )


def open_image(data: bytes, limits: Limits) -> Image.Image:
    """Open (not yet decode) data as an accepted format, refusing decompression bombs."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadProblem(_too_many_pixels(limits)) from None
    except UnidentifiedImageError:
        raise UploadProblem(
            "This file is not an image Folio can read. Upload a JPEG, PNG, "
            "WebP, GIF or AVIF picture."
        ) from None
    except MemoryError:
        raise
    except (
        Exception
    ) as exc:  # a decoder's complaint about broken bytes, whatever its type
        raise UploadProblem(_broken(exc)) from None
    if image.width * image.height > limits.max_pixels:
        raise UploadProblem(_too_many_pixels(limits))
    return image


def source_format(image: Image.Image) -> str:
    """Folio's name for an opened image's format: a phone's multi-picture JPEG is a JPEG."""
    return "JPEG" if image.format == MPO else image.format


def frame_count(image: Image.Image) -> int:
    """The frames an image shows: an MPO's other pictures (depth, gain map) are not frames."""
    if image.format == MPO:
        return 1
    return getattr(image, "n_frames", 1)


def _decode(data: bytes, limits: Limits) -> tuple[str, int, int, int]:
    """Decode every frame; Pillow's format name, the size and frame count."""
    image = open_image(data, limits)
    with image:
        try:
            width, height = image.size
            frames = frame_count(image)
            if frames > limits.max_frames:
                raise UploadProblem(
                    f"The animation has {frames:,} frames; the most accepted is "
                    f"{limits.max_frames:,}."
                )
            if width * height * frames > limits.max_pixels:
                raise UploadProblem(_too_many_pixels(limits))
            if frames > 1 and max(width, height) > ANIMATION_MAX_SIDE:
                raise UploadProblem(
                    f"The animation is {width} × {height} pixels; an animation "
                    f"may be at most {ANIMATION_MAX_SIDE} pixels a side."
                )
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for index in range(frames):
                    image.seek(index)
                    image.load()
        except (UploadProblem, MemoryError):
            raise
        except Exception as exc:  # RuntimeError, IndexError... from a damaged file
            raise UploadProblem(_broken(exc)) from None
        return image.format, width, height, frames


def _check_claims(image_format: str, extension: str, declared_type: str) -> None:
    """Refuse a file whose name or declared type names another format."""
    named = EXTENSIONS.get(extension)
    if extension and named is None:
        raise UploadProblem(
            f"The file is called .{extension} but holds a "
            f"{ACCEPTED[image_format]} image. Rename it to "
            f".{_extension_of(image_format)} and upload it again."
        )
    declared = MIME_TYPES.get((declared_type or "").split(";")[0].strip().lower())
    for claim in (named, declared):
        if claim is not None and claim != image_format:
            raise UploadProblem(
                f"The file says it is {ACCEPTED[claim]} but it is a "
                f"{ACCEPTED[image_format]} image. Rename it to "
                f".{_extension_of(image_format)} or export it again."
            )


def _extension_of(image_format: str) -> str:
    return {"JPEG": "jpg"}.get(image_format, image_format.lower())


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")


def _too_many_pixels(limits: Limits) -> str:
    return (
        "The image is too large once decoded (more than "
        f"{limits.max_pixels / 1_000_000:g} megapixels). Make it smaller and "
        "upload it again."
    )


def _broken(exc: BaseException) -> str:
    reason = str(exc).strip().rstrip(".") or type(exc).__name__
    return (
        f"The image could not be read to the end ({reason}). The file may be "
        "damaged or cut short: export it again."
    )
