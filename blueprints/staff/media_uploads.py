"""Uploads received by the staff area: every file is checked before any is stored."""

from __future__ import annotations

import unicodedata

from werkzeug.datastructures import FileStorage

from blueprints.media.images import Inspected
from blueprints.media.images import UploadProblem
from blueprints.media.library import Added
from blueprints.media.library import add_upload
from blueprints.media.library import inspect_file
from blueprints.media.processing import limits

# Room for the form around the files (boundaries, headers, the other fields).
FORM_OVERHEAD = 64 * 1024
MAX_FILES = 50


def body_limit() -> int:
    """The largest upload request: the size cap, for all files together, and the form."""
    return limits().max_bytes + FORM_OVERHEAD


def limit_text() -> str:
    """The size cap as people read it: "20 MB"."""
    return f"{limits().max_bytes / 1_000_000:g} MB"


def too_large() -> str:
    """The message for a request over body_limit()."""
    return (
        f"The upload is larger than {limit_text()}, the most accepted at once "
        "(all files together). Nothing was uploaded: upload fewer or smaller files."
    )


def inspect_all(files: list[FileStorage]) -> tuple[list[Inspected], list[str]]:
    """Inspect every file; the images, and a message for each file refused."""
    if not files:
        return [], ["Choose an image file to upload."]
    if len(files) > MAX_FILES:
        return [], [f"Upload at most {MAX_FILES} files at once."]
    images, problems = [], []
    for upload in files:
        try:
            images.append(inspect_file(upload))
        except UploadProblem as problem:
            named = f"{shown_name(upload.filename)}: " if len(files) > 1 else ""
            problems.append(f"{named}{problem}")
    return images, problems


def add_all(images: list[Inspected], user_id: int, alt: str) -> list[Added]:
    """Store the images (one already in the library is not stored again)."""
    return [add_upload(image, user_id, alt) for image in images]


def shown_name(name: str | None, limit: int = 40) -> str:
    """A file name safe and short enough to quote in a message."""
    visible = "".join(
        "?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name or ""
    )
    visible = visible or "(no name)"
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"


def summary(added: list[Added]) -> str:
    """What an upload did, in a sentence or two."""
    new = [item.media for item in added if not item.existing]
    old = [item.media for item in added if item.existing]
    parts = []
    if len(new) == 1:
        parts.append(f"Added “{shown_name(new[0].filename)}” to the library.")
    elif new:
        parts.append(f"Added {len(new)} images to the library.")
    for media in old:
        parts.append(
            f"The same file is already in the library as "
            f"“{shown_name(media.filename)}”: it was not stored twice."
        )
    return " ".join(parts)
