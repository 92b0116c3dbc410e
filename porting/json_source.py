"""Reading an export back: the JSON document (alone or in its .zip), checked.

The document is read whole (json.load); the checks here are the ones that
need no database: the format, the version, and the shape of each section.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import IO
from typing import Any

from porting.json_format import FORMAT
from porting.json_format import MEDIA_FOLDER
from porting.json_format import PLUGINS
from porting.json_format import SECTIONS
from porting.json_format import SITE_JSON
from porting.json_format import VERSION
from storage.media_files import valid_key


class JsonImportProblem(Exception):
    """The file cannot be imported; nothing was written."""


@dataclass
class Source:
    """A checked document and, from a .zip, the image files beside it."""

    document: dict[str, Any]
    archive: zipfile.ZipFile | None = None
    media_keys: set[str] = field(default_factory=set)

    def media_file(self, key: str) -> bytes | None:
        """The bytes the .zip holds for a media key (None: not in it)."""
        if self.archive is None or key not in self.media_keys:
            return None
        return self.archive.read(MEDIA_FOLDER + key)

    def section(self, name: str) -> list[dict[str, Any]]:
        """A section's records, sorted by their key (absent: none)."""
        return self.document.get(name, [])

    def plugin_sections(self) -> dict[str, list[dict[str, Any]]]:
        """The plugins' records by plugin name, in name order (absent: none)."""
        return dict(sorted(self.document.get(PLUGINS, {}).items()))


def load_json(stream: IO[bytes], name: str) -> dict[str, Any]:
    """Parse a document; malformed JSON is an JsonImportProblem naming line and column."""
    try:
        document = json.load(stream)
    except UnicodeDecodeError as exc:
        raise JsonImportProblem(f"{name} is not UTF-8 text: {exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise JsonImportProblem(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}"
        ) from exc
    check(document, name)
    return document


def check(document: Any, name: str) -> None:
    """Refuse a document that is not a Folio export of a version this reads."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise JsonImportProblem(
            f'{name} is not a Folio export (its "format" is not "{FORMAT}")'
        )
    version = document.get("version")
    if version != VERSION:
        raise JsonImportProblem(
            f"{name} is a Folio export of version {version!r}; this Folio reads "
            f"version {VERSION} only (a newer Folio may read it)"
        )
    for section in SECTIONS:
        records = document.get(section.name, [])
        if not isinstance(records, list) or not all(
            isinstance(record, dict) for record in records
        ):
            raise JsonImportProblem(
                f'{name}: "{section.name}" is not a list of objects'
            )
        if section.order_by == "id":
            records.sort(key=_id_of(section.name))
        else:
            records.sort(key=lambda record: str(record.get(section.order_by, "")))
    _check_plugins(document.get(PLUGINS, {}), name)


def _check_plugins(plugins: Any, name: str) -> None:
    """Refuse a "plugins" value that is not an object of lists of objects."""
    if not isinstance(plugins, dict) or not all(
        isinstance(records, list)
        and all(isinstance(record, dict) for record in records)
        for records in plugins.values()
    ):
        raise JsonImportProblem(
            f'{name}: "{PLUGINS}" is not an object of lists of objects'
        )


def _id_of(name: str):
    """A sort key reading a record's integer id (a bad one is an JsonImportProblem)."""

    def key(record: dict[str, Any]) -> int:
        value = record.get("id")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise JsonImportProblem(f'"{name}": a record has no valid "id": {value!r}')
        return value

    return key


@contextmanager
def open_source(path: Path) -> Iterator[Source]:
    """Open a .json document or a .zip export (site.json and media/<key> files)."""
    if not path.is_file():
        raise JsonImportProblem(f"{path} is not a file")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as stream:
            yield Source(load_json(stream, path.name))
        return
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if SITE_JSON not in names:
            raise JsonImportProblem(f"{path.name} has no {SITE_JSON}")
        with archive.open(SITE_JSON) as stream:
            document = load_json(stream, f"{path.name}:{SITE_JSON}")
        keys = {
            name[len(MEDIA_FOLDER) :]
            for name in names
            if name.startswith(MEDIA_FOLDER) and valid_key(name[len(MEDIA_FOLDER) :])
        }
        yield Source(document, archive, keys)
