"""The JSON export's shape, shared by the writer and the reader so they cannot drift.

docs/export-format.md describes it field by field. Each section is a list of
records, one per row of a table, in id order, with the fields named here.
Derived columns (rendered HTML, reading time, comment counts) are left out:
the import makes them again.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy import Enum
from sqlalchemy import Table

from models import UTCDateTime
from models import db

FORMAT = "folio"
VERSION = 1
# The one top-level field that differs between two exports of the same data.
EXPORTED_AT = "exported_at"
MEDIA_FOLDER = "media/"
# The object of plugin sections: {plugin name: [records]} (plugins/hooks.py).
PLUGINS = "plugins"
SITE_JSON = "site.json"


@dataclass(frozen=True)
class Section:
    """One list in the document: a table, the columns it keeps, its order."""

    name: str
    table: str
    fields: tuple[str, ...]
    # Columns holding JSON text: written as the JSON value itself.
    json_fields: tuple[str, ...] = ()
    order_by: str = "id"
    # Only with --with-contact: private mail, not part of the site.
    private: bool = False

    @property
    def source(self) -> Table:
        """The table the section's records come from."""
        return db.metadata.tables[self.table]

    def column(self, name: str) -> Column:
        """The table column a field is stored in."""
        return self.source.c[name]


# In the order an import writes them: each after the rows it points to.
SECTIONS: tuple[Section, ...] = (
    Section(
        "users",
        "users",
        (
            "id",
            "email",
            "display_name",
            "role",
            "is_active",
            "slug",
            "bio",
            "website",
            "avatar_id",
            "created_at",
            "updated_at",
        ),
    ),
    Section(
        "media",
        "media",
        (
            "id",
            "sha256",
            "filename",
            "alt",
            "caption",
            "format",
            "width",
            "height",
            "bytes",
            "stored_bytes",
            "variants",
            "status",
            "error",
            "uploaded_by_id",
            "created_at",
            "updated_at",
        ),
        json_fields=("variants",),
    ),
    Section("tags", "tags", ("id", "name", "slug")),
    Section(
        "articles",
        "articles",
        (
            "id",
            "kind",
            "slug",
            "title",
            "summary",
            "body",
            "body_format",
            "status",
            "published_at",
            "created_at",
            "updated_at",
            "author_id",
            "comments_open",
            "featured",
            "meta_title",
            "meta_description",
            "canonical_url",
            "noindex",
            "cover_id",
            "social_image_id",
        ),
    ),
    Section(
        "slug_redirects", "slug_redirects", ("id", "slug", "article_id", "created_at")
    ),
    Section(
        "comments",
        "comments",
        (
            "id",
            "article_id",
            "parent_id",
            "depth",
            "kind",
            "status",
            "status_reason",
            "author_name",
            "author_email",
            "author_url",
            "body",
            "created_at",
            "ip",
            "user_agent",
            "staff_author_id",
        ),
    ),
    Section(
        "menu_items",
        "menu_items",
        ("id", "menu", "position", "label", "target", "article_id", "tag_id", "url"),
    ),
    Section("redirects", "redirects", ("id", "path", "target", "source", "created_at")),
    Section(
        "settings",
        "site_settings",
        ("key", "value", "updated_at", "updated_by_id"),
        json_fields=("value",),
        order_by="key",
    ),
    Section(
        "contact_messages",
        "contact_messages",
        (
            "id",
            "name",
            "email",
            "subject",
            "message",
            "status",
            "status_reason",
            "created_at",
            "ip",
            "user_agent",
        ),
        private=True,
    ),
)
BY_NAME = {section.name: section for section in SECTIONS}
# An article's tags travel with it, as a list of tag ids.
ARTICLE_TAG_IDS = "tag_ids"


def iso(moment: datetime) -> str:
    """A timestamp as ISO 8601 in UTC, ending in Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_document(section: Section, row: Any) -> dict[str, Any]:
    """A table row as the section's record: plain JSON values."""
    record = {}
    for name in section.fields:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        elif name in section.json_fields:
            value = json.loads(value)
        record[name] = value
    return record


def from_document(section: Section, record: dict[str, Any]) -> dict[str, Any]:
    """A record as the values of a table row (KeyError names a missing field)."""
    values = {}
    for name in section.fields:
        value = record[name]
        column_type = section.column(name).type
        if value is None:
            pass
        elif isinstance(column_type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(column_type, Enum) and column_type.enum_class is not None:
            value = column_type.enum_class(value)
        elif name in section.json_fields:
            value = json.dumps(value)
        values[name] = value
    return values
