"""Staff → Settings → Import (admins): upload a WordPress export, watch it, read the report."""

from __future__ import annotations

import json

from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.staff.access import SETTINGS
from blueprints.staff.access import role_required
from blueprints.staff.import_forms import ImportForm
from blueprints.staff.import_forms import import_form
from blueprints.staff.import_start import Busy
from blueprints.staff.import_start import start_import
from blueprints.staff.media_uploads import FORM_OVERHEAD
from blueprints.staff.paging import page_arg
from blueprints.staff.views import bp
from extensions import limiter
from models import ImportRun
from models import db
from porting.import_files import imports_folder
from porting.import_report import OUTCOMES
from porting.import_runs import RunOptions
from porting.import_runs import state
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment
from web.large_body import large_body
from web.large_body import read_large_body

PER_PAGE = 20
LIMIT = "10 per hour"
# Warnings listed on the page; the JSON report has them all.
WARNINGS_SHOWN = 1000


def _limit_mb() -> int:
    return current_app.config["IMPORT_MAX_MB"]


def _too_large() -> str:
    return (
        f"The file is larger than {_limit_mb()} MB, the most this site accepts"
        " here, so nothing was imported. Import it on the server with"
        " `flask import wordpress FILE.xml`, or ask for FOLIO_IMPORT_MAX_MB to"
        " be raised."
    )


def _busy(busy: Busy) -> str:
    return (
        f"Import {busy.run.id} ({busy.run.filename}) is still under way: one"
        " import runs at a time. Upload this file again when it has finished."
    )


def _page(form: ImportForm, status: int = 200, problem: str = "", busy=None):
    """The import page: the form (with what was wrong) and the past runs."""
    runs = db.paginate(
        select(ImportRun)
        .options(selectinload(ImportRun.created_by))
        .order_by(ImportRun.created_at.desc(), ImportRun.id.desc()),
        page=page_arg(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    page = render_template(
        "staff/import.html",
        form=form,
        runs=runs,
        states={run.id: state(run) for run in runs.items},
        problem=problem,
        busy=busy,
        limit_mb=_limit_mb(),
    )
    return page, status


@bp.get("/import")
@role_required(SETTINGS)
def settings_import():
    """The upload form and every import so far, newest first."""
    return _page(import_form())


@bp.post("/import")
@role_required(SETTINGS)
@limiter.limit(LIMIT, key_func=lambda: f"import:{current_user.id}")
@large_body
def settings_import_post():
    """Store the upload and import it on a worker thread; 303 to its page."""
    limit = _limit_mb() * 1_000_000 + FORM_OVERHEAD
    if not read_large_body(limit, spool_dir=imports_folder()):
        return _page(import_form(formdata=None), 413, _too_large())
    form = import_form()
    if not form.validate():
        return _page(form, 422)
    try:
        run_id = start_import(form.file.data, form.run_options())
    except Busy as busy:
        return _page(form, 409, _busy(busy), busy.run)
    return see_other(url_for("staff.settings_import_run", run_id=run_id))


@bp.get("/import/<int:run_id>")
@role_required(SETTINGS)
def settings_import_run(run_id: int):
    """One import: its progress while under way, then its report (htmx: the part)."""
    run = db.get_or_404(ImportRun, run_id)
    return render(
        "staff/import_run.html",
        "staff/_import_progress.html",
        run=run,
        state=state(run),
        options=RunOptions.from_json(run.options),
        report=json.loads(run.report) if run.report else None,
        outcomes=OUTCOMES,
        warnings_shown=WARNINGS_SHOWN,
        # The poll that brings the end moves focus to the outcome.
        ended_now=wants_fragment(),
    )


@bp.get("/import/<int:run_id>/report.json")
@role_required(SETTINGS)
def settings_import_report(run_id: int):
    """A finished import's report as a JSON file."""
    run = db.get_or_404(ImportRun, run_id)
    if not run.report:
        abort(404)  # not finished, or failed: no report
    response = Response(run.report + "\n", mimetype="application/json")
    name = f"import-{run_id}-report.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
