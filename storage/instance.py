"""The instance folder and the SQLite files in it: readable by Folio's user alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from storage.limit_counters import counters_file

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# SQLite gives the write-ahead log and shared-memory files the database's mode.
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def secure_instance(app: Flask) -> None:
    """Create the instance folder 0700 and the SQLite files 0600, or tighten them.

    Comments hold readers' email addresses and the folder holds the secret
    key: another account on the machine must not read them. Wider modes found
    at start-up (an older Folio, a copy made by hand) are narrowed and logged.
    The SQLite files are the database and the rate-limit counters, which name
    sign-in emails and client addresses.
    """
    folder = Path(app.instance_path)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _narrow(app, folder, FOLDER_MODE)
    files = (
        sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"]),
        counters_file(app.config.get("RATELIMIT_STORAGE_URI")),
    )
    for database in files:
        if database is None:
            continue
        if not database.exists() and database.parent.is_dir():
            # Created here with its mode, before SQLite creates it with the umask's.
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        for suffix in SQLITE_SUFFIXES:
            path = database.with_name(database.name + suffix)
            if path.exists():
                _narrow(app, path, FILE_MODE)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL, or None (another database, in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def _narrow(app: Flask, path: Path, mode: int) -> None:
    """Take away what mode does not grant (group and others), saying so."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        path.chmod(current & mode)
        app.logger.warning(
            "%s was mode %o; narrowed to %o", path, current, current & mode
        )
