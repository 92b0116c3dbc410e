"""The media library's operations: add an upload, replace a file, describe, delete.

Each checks first and writes last: a refused upload leaves nothing on disk or
in the database. The staff views call these; they hold no rules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from blueprints.articles.publishing import rerender_articles_showing
from blueprints.media.images import Inspected
from blueprints.media.images import UploadProblem
from blueprints.media.images import inspect_upload
from blueprints.media.processing import limits
from blueprints.media.processing import processor
from blueprints.media.processing import stored_keys
from blueprints.media.variants import upload_key
from models import Article
from models import Media
from models import MediaStatus
from models import User
from models import db
from models import media_uses
from storage.media_files import media_store
from storage.transactions import write_transaction

MAX_ALT = 500
MAX_CAPTION = 500


@dataclass
class Uses:
    """Where an image is used: articles (body, cover, social image) and avatars."""

    articles: list[Article] = field(default_factory=list)
    authors: list[User] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.articles or self.authors)


@dataclass
class Added:
    """An upload in the library: new, or the same file already there."""

    media: Media
    existing: bool


def inspect_file(upload: FileStorage | None) -> Inspected:
    """Read and decode an uploaded file part, within the size limit."""
    if upload is None or not isinstance(upload, FileStorage):
        raise UploadProblem("Choose an image file to upload.")
    cap = limits().max_bytes
    data = upload.stream.read(cap + 1)
    if not data and not upload.filename:
        raise UploadProblem("Choose an image file to upload.")
    return inspect_upload(data, upload.filename or "", upload.mimetype or "", limits())


def add_upload(image: Inspected, user_id: int | None, alt: str = "") -> Added:
    """Store an inspected upload and have its sizes made (the same file: the existing row)."""
    existing = _by_hash(image.sha256)
    if existing is not None and existing.status != MediaStatus.FAILED:
        return Added(existing, True)
    media_store().put(upload_key(image.sha256), image.data, "application/octet-stream")
    if existing is not None:
        # The same file again after its sizes could not be made (a full disk,
        # storage away): try again with it.
        with write_transaction():
            media = db.session.get(Media, existing.id)
            media.status, media.error = MediaStatus.PROCESSING, ""
        processor().submit(media.id)
        return Added(media, True)
    try:
        with write_transaction():
            media = Media(
                sha256=image.sha256,
                filename=image.filename,
                alt=alt.strip()[:MAX_ALT],
                format=image.format.lower(),
                width=image.width,
                height=image.height,
                bytes=len(image.data),
                uploaded_by_id=user_id,
            )
            db.session.add(media)
    except IntegrityError:
        # The same file, uploaded by someone else a moment ago.
        return Added(_by_hash(image.sha256), True)
    except Exception:
        # No row (a lock timeout, an outage): the original, metadata and all,
        # must not wait on disk for `flask media prune`.
        media_store().delete([upload_key(image.sha256)])
        raise
    processor().submit(media.id)
    return Added(media, False)


def replace_file(media: Media, image: Inspected) -> None:
    """Give an image new pixels, keeping its id, words and every place it is used."""
    other = _by_hash(image.sha256)
    if other is not None:
        raise UploadProblem(
            "This file is already in the library"
            + ("" if other.id == media.id else f" (image {other.id})")
            + "."
        )
    media_store().put(upload_key(image.sha256), image.data, "application/octet-stream")
    old = tuple(stored_keys(media))
    with write_transaction():
        media = db.session.get(Media, media.id)
        media.sha256 = image.sha256
        media.filename = image.filename
        media.format = image.format.lower()
        media.width, media.height = image.width, image.height
        media.bytes = len(image.data)
        media.variants = "[]"
        media.stored_bytes = 0
        media.status = MediaStatus.PROCESSING
        media.error = ""
    processor().submit(media.id, old)


def describe(media: Media, alt: str, caption: str | None = None) -> None:
    """Change an image's alt text and caption (None: left as it is); its articles follow."""
    with write_transaction():
        media = db.session.get(Media, media.id)
        media.alt = alt.strip()[:MAX_ALT]
        if caption is not None:
            media.caption = caption.strip()[:MAX_CAPTION]
        rerender_articles_showing(media.id)


def articles_using(media_id: int) -> list[Article]:
    """The articles that show an image (body, cover or social image), newest first."""
    showing = select(media_uses.c.article_id).where(media_uses.c.media_id == media_id)
    return list(
        db.session.scalars(
            select(Article)
            .where(Article.id.in_(showing))
            .order_by(Article.updated_at.desc())
        )
    )


def uses(media_id: int) -> Uses:
    """Every use of an image: the articles showing it and the staff it is the avatar of."""
    authors = db.session.scalars(
        select(User).where(User.avatar_id == media_id).order_by(User.display_name)
    )
    return Uses(articles_using(media_id), list(authors))


def delete(media: Media) -> Uses:
    """Delete an unused image and its files; in use, delete nothing and say where."""
    using = uses(media.id)
    if using:
        return using
    with write_transaction() as transaction:
        using = uses(media.id)  # an article or a profile took it up meanwhile
        if using:
            transaction.rollback()
            return using
        media = db.session.get(Media, media.id)
        keys = [*stored_keys(media), upload_key(media.sha256)]
        db.session.delete(media)
    media_store().delete(keys)
    return Uses()


def _by_hash(sha256: str) -> Media | None:
    return db.session.scalar(select(Media).where(Media.sha256 == sha256))
