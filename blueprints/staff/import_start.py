"""Starting an import from the browser: one at a time, audited, its file stored first."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.datastructures import FileStorage

from blueprints.staff.audit import record
from blueprints.staff.media_uploads import shown_name
from models import AuditAction
from models import ImportRun
from models import ImportStatus
from models import db
from models import utcnow
from porting.import_files import RunFile
from porting.import_files import start_lock
from porting.import_runs import RunOptions
from porting.import_runs import active_run
from porting.import_runs import import_worker
from storage.transactions import write_transaction


class Busy(Exception):
    """Another import is under way: the run it is."""

    def __init__(self, run: ImportRun) -> None:
        super().__init__(run.id)
        self.run = run


def _created(upload: FileStorage, options: RunOptions) -> tuple[int, RunFile]:
    """The new run's row (committed) and its locked, empty file; Busy instead."""
    file = None
    try:
        with start_lock(), write_transaction() as transaction:
            running = active_run()
            if running is not None:
                transaction.rollback()
                raise Busy(running)
            run = ImportRun(
                format="wordpress",
                filename=shown_name(upload.filename, 255),
                options=options.to_json(),
                created_by_id=current_user.id,
            )
            db.session.add(run)
            db.session.flush()
            record(
                AuditAction.SITE_IMPORTED,
                detail=f"run {run.id}: {run.filename}, {options.describe()}",
            )
            # Created under the lock and before the commit: the row is never
            # seen without its file locked, so it never looks interrupted.
            file = RunFile.create(run.id)
            run_id = run.id
    except BaseException:
        if file is not None:
            file.discard()
        raise
    return run_id, file


def start_import(upload: FileStorage, options: RunOptions) -> int:
    """Store the upload as a new run's file and import it on a thread; the run id.

    Busy when another import is under way (nothing is stored then).
    """
    run_id, file = _created(upload, options)
    try:
        file.fill(upload.stream)
    except OSError as error:
        file.discard()
        with write_transaction():
            run = db.session.get(ImportRun, run_id)
            run.status, run.finished_at = ImportStatus.FAILED, utcnow()
            run.error = f"The upload could not be stored: {error.strerror or error}"
        return run_id
    import_worker().start(run_id, file)
    return run_id
