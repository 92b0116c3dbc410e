"""Keeping the media table and the stored files in agreement (`flask media ...`).

Three questions: which images are still waiting for their sizes, which stored
files no row accounts for, and which files a ready image lists are missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from blueprints.media.processing import process
from blueprints.media.processing import stored_keys
from models import Media
from models import MediaStatus
from models import db
from models import utcnow
from storage.media_files import media_store

# The hash a key starts with: every file of one upload shares it.
KEY_SHA = re.compile(r"^(?:[0-9a-f]{2}/)?(?P<sha>[0-9a-f]{64})[-.]")
# A file younger than this may belong to an upload whose row is not committed
# yet (the upload is stored first), so prune leaves it.
KEEP_RECENT = timedelta(hours=1)


@dataclass(frozen=True)
class Processed:
    """What `process` did to one waiting image."""

    media_id: int
    filename: str
    status: MediaStatus | None  # None: it was no longer waiting


def process_waiting() -> Iterator[Processed]:
    """Make the sizes of every image left processing, here and one at a time."""
    waiting = db.session.execute(
        select(Media.id, Media.filename)
        .where(Media.status == MediaStatus.PROCESSING)
        .order_by(Media.id)
    ).all()
    db.session.rollback()
    for media_id, filename in waiting:
        yield Processed(media_id, filename, process(media_id))


def unaccounted_keys(keep_recent: timedelta = KEEP_RECENT) -> list[str]:
    """Stored files no media row accounts for, oldest rows' hashes first.

    A row accounts for the sizes it lists; a row still processing also for
    every file of its hash (its upload, and sizes being written right now).
    """
    listed: set[str] = set()
    waiting: set[str] = set()
    for media in db.session.scalars(select(Media)):
        listed.update(stored_keys(media))
        if media.status == MediaStatus.PROCESSING:
            waiting.add(media.sha256)
    db.session.rollback()
    store = media_store()
    cutoff = utcnow() - keep_recent
    orphans = []
    for key in store.keys():
        if key in listed:
            continue
        found = KEY_SHA.match(key)
        if found is not None and found.group("sha") in waiting:
            continue
        modified = store.modified_at(key)
        if modified is not None and modified > cutoff:
            continue
        orphans.append(key)
    return sorted(orphans)


@dataclass(frozen=True)
class Missing:
    """A ready image whose listed files are not all stored."""

    media_id: int
    filename: str
    keys: list[str]


@dataclass(frozen=True)
class CheckReport:
    """What `check` found."""

    images: int
    files: int
    missing: list[Missing]


def missing_files() -> CheckReport:
    """Every ready image's files, against one listing of the store."""
    present = set(media_store().keys())
    images = files = 0
    missing = []
    rows = db.session.scalars(
        select(Media).where(Media.status == MediaStatus.READY).order_by(Media.id)
    )
    for media in rows:
        keys = stored_keys(media)
        images += 1
        files += len(keys)
        absent = [key for key in keys if key not in present]
        if absent:
            missing.append(Missing(media.id, media.filename, absent))
    db.session.rollback()
    return CheckReport(images, files, missing)
