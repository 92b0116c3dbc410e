"""The file of an import started in the browser: kept under instance/imports/,
locked for as long as a thread imports it.

The lock is how a page tells a run under way from one whose process died:
the process importing a file holds an exclusive flock on it, and the
operating system lets go of it when that process ends, however it ends. A
queued or running row whose file is not locked was interrupted. The upload,
the thread and the pages that look at the run share one instance folder, so
this holds on one machine (docs/importing.md).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import current_app

FOLDER_MODE = 0o700
FILE_MODE = 0o600
CHUNK = 1024 * 1024


def imports_folder() -> Path:
    """instance/imports/, created readable by Folio's user alone."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return folder


def _files_of(run_id: int) -> list[Path]:
    return list(imports_folder().glob(f"{run_id}-*.xml"))


class RunFile:
    """One run's file, open and locked by this process until discard()."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    @classmethod
    def create(cls, run_id: int) -> RunFile:
        """A new empty file for run_id, mode 0600, locked."""
        path = imports_folder() / f"{run_id}-{secrets.token_hex(8)}.xml"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return cls(path, fd)

    def fill(self, source: BinaryIO) -> None:
        """Copy source into the file a chunk at a time (never all in memory)."""
        # A duplicate descriptor shares the lock; closing it keeps the lock.
        with os.fdopen(os.dup(self.fd), "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)

    def discard(self) -> None:
        """Delete the file, then let go of its lock."""
        self.path.unlink(missing_ok=True)
        os.close(self.fd)


def is_locked(run_id: int) -> bool:
    """True while some process holds run_id's file: the run is under way."""
    for path in _files_of(run_id):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
    return False


def remove_files(run_id: int) -> None:
    """Delete what an interrupted run left in the folder."""
    for path in _files_of(run_id):
        path.unlink(missing_ok=True)


@contextmanager
def start_lock() -> Iterator[None]:
    """Let one request at a time look for a run under way and add its own."""
    fd = os.open(imports_folder() / ".starting", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
