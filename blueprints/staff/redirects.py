"""The redirects page (Staff → Redirects, admins only): old addresses and where they go.

web/redirects.py serves them; the WordPress importer fills the table, and
here staff list, search, add, re-point and delete them. htmx swaps the part
that changed (the add form and the list, a row, or nothing for a deleted
row) with the status line out of band; without JavaScript each form posts
and redirects back (303), and a refused one shows the page again (422).
Every change is written to the audit log with it.
"""

from __future__ import annotations

from flask import Response
from flask import flash
from flask import make_response
from flask import request
from flask import url_for
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blueprints.staff.access import REDIRECTS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.forms import clean_search
from blueprints.staff.paging import page_arg
from blueprints.staff.redirect_forms import RedirectForm
from blueprints.staff.redirect_forms import RedirectTargetForm
from blueprints.staff.redirect_forms import already_redirects
from blueprints.staff.views import bp
from models import AuditAction
from models import Redirect
from models import db
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

PER_PAGE = 50
PAGE = "staff/redirects.html"
ADDED = "staff/_redirect_added.html"
ROW_CHANGED = "staff/_redirect_row_changed.html"


def _edit_form(row: Redirect, read: bool = False) -> RedirectTargetForm:
    """A row's target form: blank with its target, or read from the request."""
    prefix = f"redirect-{row.id}"
    if read:
        form = RedirectTargetForm(prefix=prefix)
    else:
        form = RedirectTargetForm(prefix=prefix, formdata=None, target=row.target)
    form.old_key = row.path
    # Every row has this form: its label names the row's address.
    form.target.label.text = f"Where {row.path} redirects"
    return form


def _found(q: str):
    """The redirects whose path or target contains q, newest first."""
    query = select(Redirect).order_by(Redirect.created_at.desc(), Redirect.id.desc())
    if q:
        query = query.where(
            or_(
                Redirect.path.icontains(q, autoescape=True),
                Redirect.target.icontains(q, autoescape=True),
            )
        )
    return query


def _list(q: str = "", number: int = 1, **sent) -> dict:
    """The list's context: a page of redirects with their forms; sent: a form
    that was posted (add_form, or edit_form of the row edit_id), kept as sent."""
    page = db.paginate(_found(q), page=number, per_page=PER_PAGE, error_out=False)
    edit_forms = {row.id: _edit_form(row) for row in page.items}
    if sent.get("edit_id") in edit_forms:
        edit_forms[sent["edit_id"]] = sent["edit_form"]
    return {
        "page": page,
        "q": q,
        "edit_forms": edit_forms,
        "add_form": sent.get("add_form") or RedirectForm(formdata=None),
    }


@bp.get("/redirects")
@role_required(REDIRECTS)
def redirects():
    """Every redirect, newest first, searchable; htmx gets the list alone."""
    q = clean_search(request.args.get("q"))
    context = _list(q, page_arg(request.args))
    return render(PAGE, "staff/_redirect_list.html", message="", **context)


@bp.post("/redirects")
@role_required(REDIRECTS)
def redirect_add():
    """Add a redirect from an old address."""
    form = RedirectForm()
    if not form.validate_on_submit():
        return _answer(422, "Not added: check the form.", add_form=form)
    key, target = form.key(), form.target.data
    try:
        with write_transaction():
            db.session.add(Redirect(path=key, target=target, source="staff"))
            db.session.flush()
            record(AuditAction.REDIRECT_CHANGED, detail=f"added {key} → {target}")
    except IntegrityError:
        # The same address, added by someone else since the form was checked.
        form.path.errors.append(already_redirects(key))
        return _answer(422, "Not added: check the form.", add_form=form)
    return _answer(200, f"{key} now redirects to {target}.", added=True)


@bp.post("/redirects/<int:redirect_id>")
@role_required(REDIRECTS)
def redirect_update(redirect_id: int):
    """Change where a redirect goes."""
    row = db.get_or_404(Redirect, redirect_id)
    form = _edit_form(row, read=True)
    if not form.validate_on_submit():
        message = f"Not saved: check where {row.path} goes."
        return _answer(422, message, row=row, edit_form=form, edit_id=row.id)
    with write_transaction():
        row = db.get_or_404(Redirect, redirect_id)
        old, row.target = row.target, form.target.data
        detail = f"changed {row.path} → {row.target} (was {old})"
        record(AuditAction.REDIRECT_CHANGED, detail=detail)
    message = f"{row.path} now redirects to {row.target}."
    return _answer(200, message, row=row, edit_form=_edit_form(row))


@bp.post("/redirects/<int:redirect_id>/delete")
@role_required(REDIRECTS)
def redirect_delete(redirect_id: int):
    """Delete a redirect: htmx gets an empty 200, which removes its row."""
    with write_transaction():
        row = db.get_or_404(Redirect, redirect_id)
        path, target = row.path, row.target
        db.session.delete(row)
        record(AuditAction.REDIRECT_CHANGED, detail=f"deleted {path} → {target}")
    if wants_fragment():
        response = make_response("", 200)
        response.vary.add("HX-Request")
        return response
    flash(f"{path} no longer redirects.", "success")
    return see_other(url_for("staff.redirects"))


def _answer(status: int, message: str, **sent) -> Response:
    """After a change: htmx gets what changed (the add form and the list, or
    the row) with the status line; a plain post, a redirect back (or the page
    again when refused)."""
    if not wants_fragment():
        if status < 400:
            flash(message, "success")
            return see_other(url_for("staff.redirects"))
        return render(PAGE, PAGE, status, message=message, **_list(**_kept(sent)))
    if "row" in sent:
        return render(PAGE, ROW_CHANGED, status, message=message, **sent)
    # A refused add swaps the form alone; an added one, the list too.
    added = sent.get("added", False)
    context = _list() if added else {}
    context["add_form"] = sent.get("add_form") or RedirectForm(formdata=None)
    return render(PAGE, ADDED, status, message=message, added=added, **context)


def _kept(sent: dict) -> dict:
    """What the whole page shows of a refused post: the form as it was sent,
    and for an edit the list searched for its row (which may be on any page)."""
    kept = {k: v for k, v in sent.items() if k in ("add_form", "edit_form", "edit_id")}
    if "row" in sent:
        kept["q"] = sent["row"].path
    return kept
