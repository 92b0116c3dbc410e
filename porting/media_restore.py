"""Putting an export's image files back through the media store.

A .zip export holds every stored file of each image (its sizes, and the
upload of one still waiting for them): they are written under the same keys,
so the imported rows name files that exist. An image whose sizes are missing
but whose upload is there has its sizes made again after the import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from blueprints.media.processing import processor
from blueprints.media.processing import stored_keys
from blueprints.media.variants import CONTENT_TYPE
from blueprints.media.variants import upload_key
from models import MediaStatus
from porting.json_source import JsonImportProblem
from porting.json_source import Source
from storage.media_files import MediaStoreError
from storage.media_files import media_store

UPLOAD_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class _Files:
    """What stored_keys() reads of an image: its hash and its sizes."""

    sha256: str
    variants: str


@dataclass
class Restored:
    """The files written, the images whose sizes are to be made, those left without."""

    keys: list[str] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


def _put(source: Source, key: str, restored: Restored) -> None:
    """Write one file from the .zip to the store."""
    extension = key.rsplit(".", 1)[-1]
    data = source.media_file(key)
    media_store().put(key, data, CONTENT_TYPE.get(extension, UPLOAD_TYPE))
    restored.keys.append(key)


def restore_files(source: Source) -> Restored:
    """Store the .zip's files of every image; mark those to process (records change)."""
    restored = Restored()
    if source.archive is None:
        return restored
    try:
        for record in source.section("media"):
            _restore_one(source, record, restored)
    except (KeyError, TypeError, ValueError) as exc:
        discard(restored)
        raise JsonImportProblem(
            f'"media": a record has a bad or missing {exc}'
        ) from exc
    except MediaStoreError:
        discard(restored)
        raise
    return restored


def _restore_one(source: Source, record: dict[str, Any], restored: Restored) -> None:
    """Store one image's files, or its upload to make them from, or note it lost."""
    sizes = stored_keys(_Files(record["sha256"], json.dumps(record["variants"])))
    upload = upload_key(record["sha256"])
    if sizes and all(key in source.media_keys for key in sizes):
        for key in sizes:
            _put(source, key, restored)
    elif upload in source.media_keys:
        _put(source, upload, restored)
        record["status"], record["variants"] = MediaStatus.PROCESSING.value, []
        restored.waiting.append(record["id"])
    else:
        restored.missing.append(record["id"])


def discard(restored: Restored) -> None:
    """Delete the files an import wrote (its database write failed)."""
    if restored.keys:
        media_store().delete(restored.keys)


def make_sizes(restored: Restored) -> None:
    """Have the sizes of the images restored from their uploads made."""
    for media_id in restored.waiting:
        processor().submit(media_id)
