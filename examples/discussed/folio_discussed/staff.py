"""The staff page: the top articles over 7 and 30 days, and a recount."""

from __future__ import annotations

from flask import flash
from flask import url_for

from folio_discussed.activity import recount
from folio_discussed.activity import staff_ranking
from folio_discussed.forms import RecountForm
from models import Role
from plugins.api import render
from plugins.api import role_required
from plugins.api import see_other
from plugins.api import staff_blueprint
from plugins.api import wants_fragment
from plugins.api import write_transaction

STAFF = frozenset({Role.ADMIN, Role.EDITOR})
RECOUNTED = "Recounted from the approved comments."

staff_bp = staff_blueprint("discussed_staff", __name__, template_folder="templates")


@staff_bp.get("")
@role_required(STAFF)
def index():
    """The most discussed articles and pages; htmx gets the table alone."""
    return render(
        "discussed/staff.html",
        "discussed/_staff_table.html",
        ranked=staff_ranking(),
        form=RecountForm(),
        message="",
    )


@staff_bp.post("/recount")
@role_required(STAFF)
def recount_all():
    """Rebuild the counts from the approved comments."""
    form = RecountForm()
    if not form.validate_on_submit():
        return see_other(url_for("discussed_staff.index"))
    with write_transaction():
        recount()
    if not wants_fragment():
        flash(RECOUNTED, "success")
        return see_other(url_for("discussed_staff.index"))
    return render(
        "discussed/staff.html",
        "discussed/_staff_table.html",
        ranked=staff_ranking(),
        form=form,
        message=RECOUNTED,
    )
