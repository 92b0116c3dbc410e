"""A consistent copy of the live SQLite database, and the image files beside it.

The copy is made with SQLite's online backup API, page by page, while the site
keeps serving; a plain file copy of a WAL database can miss committed pages or
catch a half-written one. On PostgreSQL the command explains `pg_dump` instead.
The media folder is copied after the database, into one folder that every
backup in the same place shares (docs/operations.md says why).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app

from storage.instance import sqlite_file
from storage.media_files import LocalMediaStore

# All pages in one step: in WAL mode that step is one read transaction, so the
# copy is a single consistent snapshot and writers are never blocked by it.
# (Smaller steps restart whenever another connection commits, and under steady
# writes might never finish.)
PAGES_PER_STEP = -1


def sqlite_path() -> Path | None:
    """The file of the app's SQLite database, or None for another database."""
    return sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])


def backup_sqlite(source: Path, target: Path) -> dict[str, int]:
    """Copy source to target with the online backup API; return rows per table.

    Raises click.ClickException when the copy fails its integrity check.
    """
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    busy_ms = int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    src = sqlite3.connect(source, timeout=busy_ms / 1000)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            # The copy is a stand-alone file: no WAL beside it to lose.
            dst.execute("PRAGMA journal_mode=DELETE")
            result = dst.execute("PRAGMA integrity_check").fetchall()
            if [row[0] for row in result] != ["ok"]:
                problems = "; ".join(str(row[0]) for row in result[:5])
                raise click.ClickException(
                    f"the copy failed integrity_check: {problems}"
                )
            tables = [
                row[0]
                for row in dst.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            counts = {
                name: dst.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in tables
            }
        finally:
            dst.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(tmp, target)
    return counts


@dataclass
class MediaCopy:
    """What copying the media folder into a backup did."""

    folder: Path
    copied: int = 0
    already: int = 0
    copied_bytes: int = 0
    vanished: int = 0


def copy_media(store: LocalMediaStore, folder: Path) -> MediaCopy:
    """Copy the store's files missing from folder (incremental: they never change).

    A file's name holds its content's hash, so a file already in the backup
    with the same size is the same file and is left alone. Each copy is made
    under a hidden temporary name and renamed, so an interrupted backup never
    leaves a partial file under a real name; the next run copies it again.
    """
    done = MediaCopy(folder)
    folder.mkdir(mode=0o700, exist_ok=True)
    for key in store.keys():
        source = store.local_path(key)
        target = folder / key
        try:
            size = source.stat().st_size
        except FileNotFoundError:  # its image was deleted meanwhile
            done.vanished += 1
            continue
        if target.is_file() and target.stat().st_size == size:
            done.already += 1
            continue
        target.parent.mkdir(mode=0o700, exist_ok=True)
        tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except FileNotFoundError:
            tmp.unlink(missing_ok=True)
            done.vanished += 1
            continue
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        done.copied += 1
        done.copied_bytes += size
    return done


def ready_media(database: Path) -> list[tuple[str, str]]:
    """(sha256, variants JSON) of the ready images in a backup copy."""
    with closing(sqlite3.connect(database)) as conn:
        return conn.execute(
            "SELECT sha256, variants FROM media WHERE status = 'ready'"
        ).fetchall()
