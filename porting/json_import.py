"""Restoring a JSON export into an empty database, ids and all, in one transaction.

Rows are written with Core inserts in chunks, each section after the ones it
points to; what the export leaves out as derived (rendered HTML, reading
time, comment counts, media uses) is made again here. Staff accounts come
without passwords: each gets a hash no password matches, and signs in again
after "Forgot password".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import current_app
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import StatementError

from blueprints.articles.markdown import render_short_text
from blueprints.articles.publishing import render_body
from models import COMMENT_COUNTS
from models import MENU_CHANGES
from models import SETTINGS_COUNTER
from models import Article
from models import Comment
from models import CommentStatus
from models import User
from models import article_tags
from models import count_change
from models import db
from models import media_uses
from plugins.hooks import import_records
from plugins.loading import loaded_plugins
from porting.json_format import ARTICLE_TAG_IDS
from porting.json_format import BY_NAME
from porting.json_format import SECTIONS
from porting.json_format import Section
from porting.json_format import from_document
from porting.json_source import JsonImportProblem
from porting.json_source import Source
from porting.media_restore import Restored
from porting.media_restore import discard
from porting.media_restore import make_sizes
from porting.media_restore import restore_files
from porting.wp_authors import NO_PASSWORD
from storage.transactions import write_transaction
from web.site_settings import site_settings

CHUNK = 500


@dataclass
class Imported:
    """What an import wrote: rows per section, and who must reset a password."""

    counts: dict[str, int] = field(default_factory=dict)
    password_resets: int = 0
    # Records per plugin that took its section of the document.
    plugins: dict[str, int] = field(default_factory=dict)
    # What was left out without failing the import (a plugin not loaded).
    warnings: list[str] = field(default_factory=list)


def refuse_unless_empty() -> None:
    """Refuse to import over a site: the tables an export fills must be empty."""
    found = []
    for section in SECTIONS:
        rows = db.session.scalar(select(func.count()).select_from(section.source))
        if rows:
            found.append(f"{rows} {section.name.replace('_', ' ')}")
    if found:
        raise JsonImportProblem(
            "the database is not empty (it has " + ", ".join(found) + "): import "
            "into a new, empty database (`flask db upgrade` makes one)"
        )


def _values(section: Section, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as row values; a missing field or a bad value is an JsonImportProblem."""
    try:
        return [from_document(section, record) for record in records]
    except KeyError as exc:
        raise JsonImportProblem(
            f'"{section.name}": a record has no {exc} field'
        ) from exc
    except (TypeError, ValueError) as exc:
        raise JsonImportProblem(
            f'"{section.name}": a record has a bad value: {exc}'
        ) from exc


def _chunks(records: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """The records CHUNK at a time."""
    for start in range(0, len(records), CHUNK):
        yield records[start : start + CHUNK]


def _insert(table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany INSERT (nothing for no rows)."""
    if rows:
        db.session.execute(insert(table), rows)


def _user_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accounts without a usable password; avatars are set once media exist."""
    for row in rows:
        row["email"] = row["email"].strip().lower()
        row["password_hash"] = NO_PASSWORD
        row["bio_html"] = render_short_text(row["bio"])
        row["avatar_id"] = None
    return rows


def _write_articles(records: list[dict[str, Any]]) -> None:
    """Articles with their rendered bodies, their tags and the images they show."""
    section = BY_NAME["articles"]
    for chunk in _chunks(records):
        rows, tags, uses = _values(section, chunk), [], []
        for row, record in zip(rows, chunk, strict=True):
            rendered = render_body(row["body"], body_format=row["body_format"])
            row["body_html"] = rendered.html
            row["reading_minutes"] = rendered.reading_minutes
            shown = rendered.media_ids | {row["cover_id"], row["social_image_id"]}
            uses += [{"media_id": m, "article_id": row["id"]} for m in shown if m]
            tags += [
                {"article_id": row["id"], "tag_id": tag_id}
                for tag_id in record.get(ARTICLE_TAG_IDS, [])
            ]
        _insert(section.source, rows)
        _insert(article_tags, tags)
        _insert(media_uses, uses)


def _write_comments(records: list[dict[str, Any]]) -> None:
    """Comments in id order; a reply to a later comment gets its parent afterwards."""
    section, later = BY_NAME["comments"], []
    for chunk in _chunks(records):
        rows = _values(section, chunk)
        for row in rows:
            if row["parent_id"] is not None and row["parent_id"] >= row["id"]:
                later.append((row["id"], row["parent_id"]))
                row["parent_id"] = None
        _insert(section.source, rows)
    for comment_id, parent_id in later:
        db.session.execute(
            update(Comment).where(Comment.id == comment_id).values(parent_id=parent_id)
        )


def _write_section(section: Section, records: list[dict[str, Any]]) -> None:
    """A section without special needs, chunk by chunk."""
    for chunk in _chunks(records):
        rows = _values(section, chunk)
        _insert(section.source, _user_rows(rows) if section.name == "users" else rows)


def _set_avatars(records: list[dict[str, Any]]) -> None:
    """Give accounts their avatars, now that the images exist."""
    for record in records:
        if record.get("avatar_id") is not None:
            db.session.execute(
                update(User)
                .where(User.id == record["id"])
                .values(avatar_id=record["avatar_id"])
            )


def _refresh_derived() -> None:
    """Comment counts from the comments; every counter cached pages read moves."""
    approved = (
        select(func.count(Comment.id))
        .where(
            Comment.article_id == Article.id, Comment.status == CommentStatus.APPROVED
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(Article).values(comment_count=approved, **Article.comments_changed())
    )
    connection = db.session.connection()
    for name in (COMMENT_COUNTS, MENU_CHANGES, SETTINGS_COUNTER):
        count_change(connection, name)


def _write_plugins(source: Source, imported: Imported) -> None:
    """Hand each plugin its section, after Folio's rows; note the ones no
    loaded plugin took (their records are left out, the import goes on)."""
    for name, records in source.plugin_sections().items():
        if import_records(name, records):
            imported.plugins[name] = len(records)
        else:
            imported.warnings.append(
                f"no loaded plugin took the {len(records)} record(s) of plugin "
                f"{name}: they were not imported (enable it, then import into an "
                f"empty database again)"
            )


def reset_sequences() -> None:
    """On PostgreSQL, let new rows' ids start after the imported ones: in
    Folio's tables and in the loaded plugins' tables with an id key."""
    if db.engine.dialect.name != "postgresql":
        return
    tables = [section.table for section in SECTIONS if section.order_by == "id"]
    for table in tables + _plugin_tables_with_ids():
        # pg_get_serial_sequence() is NULL for an id that is no serial, and
        # setval(NULL, ...) is NULL too: such a table is left alone.
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )
        )


def _plugin_tables_with_ids() -> list[str]:
    """The loaded plugins' tables (named <plugin>_...) whose key is a column id."""
    prefixes = tuple(f"{state.name}_" for state in loaded_plugins(current_app))
    if not prefixes:
        return []
    return [
        table.name
        for table in db.metadata.sorted_tables
        if table.name.startswith(prefixes)
        and "id" in table.c
        and table.c.id.primary_key
    ]


def write_site(source: Source) -> Imported:
    """Write every section of a checked document in one transaction, or nothing."""
    imported = Imported()
    try:
        with write_transaction():
            refuse_unless_empty()
            for section in SECTIONS:
                records = source.section(section.name)
                if section.name == "articles":
                    _write_articles(records)
                elif section.name == "comments":
                    _write_comments(records)
                else:
                    _write_section(section, records)
                imported.counts[section.name] = len(records)
            _set_avatars(source.section("users"))
            _refresh_derived()
            _write_plugins(source, imported)
            reset_sequences()
    except (IntegrityError, StatementError) as exc:
        raise JsonImportProblem(
            f"the document does not fit together, nothing was written: {exc.orig}"
        ) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise JsonImportProblem(
            f"the document has a bad value, nothing was written: {exc!r}"
        ) from exc
    imported.password_resets = imported.counts["users"]
    return imported


def import_site(source: Source) -> tuple[Imported, Restored]:
    """Store the image files, write the rows, then make any sizes still missing."""
    refuse_unless_empty()  # again under the write lock; first, before any file
    db.session.rollback()
    restored = restore_files(source)
    try:
        imported = write_site(source)
    except BaseException:
        discard(restored)
        raise
    site_settings().reload()
    make_sizes(restored)
    return imported, restored
