"""The whole site as one JSON document, or a .zip of it with the image files.

Written as it is read: records go out one at a time from chunks of rows read
in key order (keyset paging), so memory stays flat however many comments the
site has. The reads share one snapshot, so the document is consistent.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from blueprints.media.processing import stored_keys
from blueprints.media.variants import upload_key
from models import article_tags
from models import db
from models import utcnow
from plugins.hooks import export_records
from porting.json_format import ARTICLE_TAG_IDS
from porting.json_format import EXPORTED_AT
from porting.json_format import FORMAT
from porting.json_format import MEDIA_FOLDER
from porting.json_format import PLUGINS
from porting.json_format import SECTIONS
from porting.json_format import SITE_JSON
from porting.json_format import VERSION
from porting.json_format import Section
from porting.json_format import iso
from porting.json_format import to_document
from porting.keyset import keyset_chunks
from porting.pipe import Pipe
from storage.media_files import media_store


def begin_snapshot() -> None:
    """Start a read transaction every later read shares (one snapshot of the site)."""
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        # SQLite in WAL mode: one read transaction sees one state of the file.
        db.session.connection()


def row_chunks(section: Section) -> Iterator[list[Any]]:
    """The section's table rows in key order, a chunk at a time."""
    table = section.source
    query = select(*(table.c[name] for name in section.fields))
    return keyset_chunks(query, table.c[section.order_by])


def _tag_ids(article_ids: list[int]) -> dict[int, list[int]]:
    """Each article's tag ids, in id order, for one chunk of articles."""
    found: dict[int, list[int]] = {article_id: [] for article_id in article_ids}
    query = (
        select(article_tags.c.article_id, article_tags.c.tag_id)
        .where(article_tags.c.article_id.in_(article_ids))
        .order_by(article_tags.c.article_id, article_tags.c.tag_id)
    )
    for article_id, tag_id in db.session.execute(query):
        found[article_id].append(tag_id)
    return found


def records(section: Section) -> Iterator[dict[str, Any]]:
    """The section's records, one at a time."""
    for rows in row_chunks(section):
        tags = _tag_ids([row.id for row in rows]) if section.name == "articles" else {}
        for row in rows:
            record = to_document(section, row)
            if section.name == "articles":
                record[ARTICLE_TAG_IDS] = tags[row.id]
            yield record


def _dumps(value: Any) -> str:
    """One value as the document writes it: sorted keys, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def exported_sections(with_contact: bool) -> list[Section]:
    """The sections a document holds (contact messages only when asked for)."""
    return [s for s in SECTIONS if with_contact or not s.private]


def _list_chunks(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A list of records as text pieces, one record a line."""
    yield "["
    for count, record in enumerate(items):
        yield ("\n" if count == 0 else ",\n") + _dumps(record)
    yield "\n]"


def _plugin_chunks(plugins: dict[str, Iterator[dict[str, Any]]]) -> Iterator[str]:
    """The plugins' object: each plugin's records, plugins in name order."""
    yield "{"
    for index, (name, items) in enumerate(plugins.items()):
        yield ("\n" if index == 0 else ",\n") + _dumps(name) + ": "
        yield from _list_chunks(items)
    yield "\n}"


def json_chunks(
    with_contact: bool = False, exported_at: datetime | None = None
) -> Iterator[str]:
    """The document as text pieces: top-level keys sorted, one record a line."""
    scalars: dict[str, Any] = {
        EXPORTED_AT: iso(exported_at or utcnow()),
        "format": FORMAT,
        "version": VERSION,
    }
    lists = {section.name: section for section in exported_sections(with_contact)}
    # Only plugins with records: a site without any writes no "plugins" key.
    plugins = export_records()
    names = sorted([*scalars, *lists, *([PLUGINS] if plugins else [])])
    yield "{"
    for index, name in enumerate(names):
        yield ("\n" if index == 0 else ",\n") + _dumps(name) + ": "
        if name in scalars:
            yield _dumps(scalars[name])
        elif name == PLUGINS:
            yield from _plugin_chunks(plugins)
        else:
            yield from _list_chunks(records(lists[name]))
    yield "\n}\n"


# What media_files() reads of each image: enough to name its stored files.
_MEDIA_KEYS = Section("media files", "media", ("id", "sha256", "variants"))


def media_files() -> Iterator[tuple[str, bytes]]:
    """Every stored file of every image (each size, and an upload still waiting)."""
    store = media_store()
    for rows in row_chunks(_MEDIA_KEYS):
        for row in rows:
            for key in [*stored_keys(row), upload_key(row.sha256)]:
                data = store.get(key)
                if data is not None:
                    yield key, data


def zip_chunks(with_contact: bool = False) -> Iterator[bytes]:
    """A .zip as byte pieces: site.json, then media/<key> for every stored file."""
    pipe = Pipe()
    # Not seekable: zipfile writes each entry's sizes after its data.
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(SITE_JSON, "w", force_zip64=True) as site:
            for piece in json_chunks(with_contact):
                site.write(piece.encode())
                if len(pipe.parts) > 16:
                    yield pipe.take()
        yield pipe.take()
        for key, data in media_files():
            # Images are compressed already: stored as they are.
            info = zipfile.ZipInfo(MEDIA_FOLDER + key, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, data, zipfile.ZIP_STORED)
            yield pipe.take()
    yield pipe.take()
