"""Imports started in the browser, run on a thread of the process that took the upload.

The ImportRun row is the run's whole story: the thread marks it running,
writes how far it has got at most once a second (each in a short write of its
own, between the importer's), then stores the report, or the reason it
failed. A row left queued or running by a process that died is shown as
failed: its file is no longer locked (porting/import_files.py).
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask import current_app
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from models import ImportRun
from models import ImportStatus
from models import db
from models import utcnow
from porting.import_files import RunFile
from porting.import_files import is_locked
from porting.import_files import remove_files
from porting.wp_authors import AuthorOptions
from porting.wp_authors import ImportProblem
from porting.wxr_import import ImportOptions
from porting.wxr_import import import_wordpress
from porting.wxr_reader import WxrError
from storage.transactions import write_transaction

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between two progress writes
ERROR_MAX = 1000  # ImportRun.error's length
INTERRUPTED = (
    "Interrupted: the process running it stopped. Run it again to resume;"
    " nothing is imported twice."
)
UNDER_WAY = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class Authors(enum.StrEnum):
    """Whose posts they become: the staff form's three choices."""

    MATCH = "match"
    CREATE = "create"
    ASSIGN = "assign"


@dataclass(frozen=True)
class RunOptions:
    """What the admin asked for, as ImportRun.options keeps it."""

    authors: Authors = Authors.MATCH
    assign_to: str | None = None
    dry_run: bool = False

    def to_json(self) -> str:
        """The options as stored on the row."""
        return json.dumps(
            {
                "authors": self.authors.value,
                "assign_to": self.assign_to,
                "dry_run": self.dry_run,
            }  # fmt: skip
        )

    @classmethod
    def from_json(cls, text: str) -> RunOptions:
        """The options a row stored (defaults for what it lacks)."""
        data = json.loads(text or "{}")
        return cls(
            Authors(data.get("authors", Authors.MATCH)),
            data.get("assign_to"),
            bool(data.get("dry_run")),
        )

    def import_options(self) -> ImportOptions:
        """The importer's options: no media folder or fetching from the browser."""
        return ImportOptions(
            authors=AuthorOptions(
                create_authors=self.authors is Authors.CREATE,
                assign_to=self.assign_to if self.authors is Authors.ASSIGN else None,
            ),
            dry_run=self.dry_run,
        )

    def describe(self) -> str:
        """The options in a few words: "authors matched by email, dry run"."""
        words = {
            Authors.MATCH: "authors matched to staff by email",
            Authors.CREATE: "inactive accounts created for new authors",
            Authors.ASSIGN: f"everything given to {self.assign_to}",
        }[self.authors]
        return words + (", dry run" if self.dry_run else "")


@dataclass(frozen=True)
class RunState:
    """How a run stands, an interrupted one counted as failed."""

    status: ImportStatus
    error: str

    @property
    def under_way(self) -> bool:
        """Queued or running (its page keeps asking)."""
        return self.status in UNDER_WAY


def state(run: ImportRun) -> RunState:
    """The run's status, failed with INTERRUPTED when no process holds its file."""
    if run.status in UNDER_WAY and not is_locked(run.id):
        return RunState(ImportStatus.FAILED, INTERRUPTED)
    return RunState(run.status, run.error)


def _under_way() -> list[ImportRun]:
    return list(
        db.session.scalars(select(ImportRun).where(ImportRun.status.in_(UNDER_WAY)))
    )


def active_run() -> ImportRun | None:
    """The run under way (the caller holds start_lock() and a write)."""
    interrupted = []
    found = None
    for run in _under_way():
        if is_locked(run.id):
            found = run
        else:
            interrupted.append(run)
    for run in interrupted:
        # Said once in the row, so the next look does not test the lock again.
        run.status, run.error, run.finished_at = (
            ImportStatus.FAILED,
            INTERRUPTED,
            utcnow(),
        )
        remove_files(run.id)
    return found


class ProgressWriter:
    """The importer's progress callback: done/total on the row, at most once a second."""

    def __init__(self, run_id: int, write: bool) -> None:
        self.run_id = run_id
        self.write = write  # a dry run holds one transaction throughout: no writes
        self.done = self.total = 0
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if self.write and (now - self._last >= PROGRESS_EVERY or done == total):
            self._last = now
            try:
                with write_transaction():
                    _set(self.run_id, done_items=done, total_items=total)
            except OperationalError as error:
                # Progress is for people watching; the import goes on.
                log.warning("import %s: progress not written: %s", self.run_id, error)


def _set(run_id: int, **values) -> None:
    db.session.execute(update(ImportRun).where(ImportRun.id == run_id).values(**values))


def _finish(run_id: int, status: ImportStatus, **values) -> None:
    db.session.rollback()  # whatever the importer left open
    with write_transaction():
        _set(run_id, status=status, finished_at=utcnow(), **values)


def execute(run_id: int, path: Path) -> None:
    """Import path for run_id, keeping the row up to date; never raises."""
    run = db.session.get(ImportRun, run_id)
    options = RunOptions.from_json(run.options)
    with write_transaction():
        _set(run_id, status=ImportStatus.RUNNING, started_at=utcnow())
    progress = ProgressWriter(run_id, write=not options.dry_run)
    try:
        report = import_wordpress(path, options.import_options(), progress)
    except (WxrError, ImportProblem) as error:
        _finish(run_id, ImportStatus.FAILED, error=f"Not imported: {error}"[:ERROR_MAX])
        return
    except Exception as error:
        log.exception("import %s failed", run_id)
        message = f"The import stopped on an unexpected error: {error}"
        _finish(run_id, ImportStatus.FAILED, error=message[:ERROR_MAX])
        return
    _finish(
        run_id,
        ImportStatus.DONE,
        report=report.to_json(),
        done_items=progress.done,
        total_items=progress.total,
    )


class ImportWorker:
    """Runs each import on a daemon thread of this process, in an app context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self, run_id: int, file: RunFile) -> None:
        """Import file for run_id on a new thread; the thread discards the file."""
        thread = threading.Thread(
            target=self._run, args=(run_id, file), name=f"folio-import-{run_id}"
        )
        thread.daemon = True
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _run(self, run_id: int, file: RunFile) -> None:
        try:
            with self.app.app_context():
                execute(run_id, file.path)
        except Exception:
            log.exception("import %s: the row could not be updated", run_id)
        finally:
            file.discard()  # after the row says how it ended

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for the imports started so far (tests); True when all ended."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))
        return not any(thread.is_alive() for thread in threads)


def init_app(app: Flask) -> None:
    """Give the app its ImportWorker."""
    app.extensions["folio_import_worker"] = ImportWorker(app)


def import_worker() -> ImportWorker:
    """The current app's ImportWorker."""
    return current_app.extensions["folio_import_worker"]
