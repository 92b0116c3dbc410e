"""Making an upload's sizes, off the request path.

The upload request checks the file by decoding it, keeps the bytes under a
key that is never served and answers; a thread of the same process then makes
the sizes (a 12-megapixel photo takes about two seconds) and marks the image
ready, and the articles that show it are rendered again. With
FOLIO_MEDIA_WORKERS=0 the same work runs inside the request.

A process that dies mid-way leaves the row "processing" with its upload
still stored: `flask media process` (and opening the media library, for rows
stuck over five minutes) picks it up again.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from datetime import timedelta

from flask import Flask
from flask import current_app
from PIL import Image
from sqlalchemy import select
from sqlalchemy import update

from blueprints.articles.publishing import rerender_articles_showing
from blueprints.media.images import Limits
from blueprints.media.images import UploadProblem
from blueprints.media.variants import CONTENT_TYPE
from blueprints.media.variants import EXTENSION
from blueprints.media.variants import key_for
from blueprints.media.variants import make_sizes
from blueprints.media.variants import sizes_from_json
from blueprints.media.variants import sizes_to_json
from blueprints.media.variants import upload_key
from models import Media
from models import MediaStatus
from models import db
from models import utcnow
from storage.media_files import MediaStoreError
from storage.media_files import media_store
from storage.transactions import write_transaction
from web.site_settings import media_changed

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=5)


def limits() -> Limits:
    """The current app's upload limits."""
    config = current_app.config
    return Limits(
        max_bytes=config["MEDIA_MAX_MB"] * 1_000_000,
        max_pixels=config["MEDIA_MAX_PIXELS"],
        max_frames=config["MEDIA_MAX_FRAMES"],
    )


def stored_keys(media: Media) -> list[str]:
    """Every file key a Media row's sizes occupy."""
    return [
        key_for(media.sha256, size.width, fmt)
        for size in sizes_from_json(media.variants)
        for fmt in size.files
    ]


def process(media_id: int, old_keys: tuple[str, ...] = ()) -> MediaStatus | None:
    """Make the sizes of a processing image, mark it ready, re-render its articles."""
    media = db.session.get(Media, media_id)
    if media is None or media.status != MediaStatus.PROCESSING:
        return None
    sha = media.sha256
    db.session.rollback()  # no read transaction held while encoding
    store = media_store()
    data = store.get(upload_key(sha))
    if data is None:
        return _fail(media_id, sha, "The uploaded file is missing: upload it again.")
    try:
        fallback, sizes = make_sizes(data, limits())
        written = []
        for size, encoded in sizes:
            for fmt, blob in encoded.items():
                key = key_for(sha, size.width, fmt)
                store.put(key, blob, CONTENT_TYPE[EXTENSION[fmt]])
                written.append(key)
    except (UploadProblem, MediaStoreError, OSError, ValueError) as exc:
        log.warning("media %s: could not make sizes: %s", media_id, exc)
        return _fail(media_id, sha, f"Could not prepare the image: {exc}")
    finished = [size for size, _ in sizes]
    del data, sizes  # the encoded files: let them go before the write
    with write_transaction() as transaction:
        media = db.session.get(Media, media_id)
        if media is None or media.sha256 != sha:
            # Deleted or replaced while its sizes were made: they are orphans.
            transaction.rollback()
            store.delete(written)
            return None
        media.status = MediaStatus.READY
        media.format = fallback
        media.variants = sizes_to_json(finished)
        media.width, media.height = finished[-1].width, finished[-1].height
        media.stored_bytes = sum(sum(s.files.values()) for s in finished)
        media.error = ""
        rerender_articles_showing(media_id)
        media_changed(media_id)
    store.delete([upload_key(sha), *old_keys])
    return MediaStatus.READY


def _fail(media_id: int, sha: str, reason: str) -> MediaStatus:
    with write_transaction():
        media = db.session.get(Media, media_id)
        if media is not None and media.sha256 == sha:
            media.status = MediaStatus.FAILED
            media.error = reason[:300]
    return MediaStatus.FAILED


class Processor:
    """Runs process() on this process's threads (or inline with 0 workers)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future] = set()

    def submit(self, media_id: int, old_keys: tuple[str, ...] = ()) -> None:
        """Make the sizes now (0 workers) or on a background thread."""
        workers = self.app.config["MEDIA_WORKERS"]
        if workers <= 0:
            process(media_id, old_keys)
            return
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                # After a fork the parent's threads do not exist here.
                self._pid = os.getpid()
                self._pool = ThreadPoolExecutor(workers, "folio-media")
                self._pending = set()
            future = self._pool.submit(self._run, media_id, old_keys)
            self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _run(self, media_id: int, old_keys: tuple[str, ...]) -> None:
        with self.app.app_context():
            try:
                process(media_id, old_keys)
            except Exception:
                log.exception("media %s: processing failed", media_id)

    def wait(self, timeout: float = 60.0) -> None:
        """Wait for what was submitted so far (tests, commands)."""
        wait(list(self._pending), timeout)


def init_app(app: Flask) -> None:
    """Give the app its Processor; Pillow refuses larger images before decoding."""
    Image.MAX_IMAGE_PIXELS = app.config["MEDIA_MAX_PIXELS"]
    app.extensions["folio_media_processor"] = Processor(app)


def processor() -> Processor:
    """The current app's Processor."""
    return current_app.extensions["folio_media_processor"]


def resume_stale() -> int:
    """Submit again the images left processing by a process that died; how many."""
    cutoff = utcnow() - STALE_AFTER
    ids = db.session.scalars(
        select(Media.id).where(
            Media.status == MediaStatus.PROCESSING, Media.updated_at < cutoff
        )
    ).all()
    if ids:
        # Not stale again for a while: the next look does not queue them twice.
        with write_transaction():
            db.session.execute(
                update(Media).where(Media.id.in_(ids)).values(updated_at=utcnow())
            )
    for media_id in ids:
        processor().submit(media_id)
    return len(ids)
