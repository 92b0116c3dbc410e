"""Managing two-factor sign-in once it is on: the recovery codes (shown once,
downloaded, renewed) and turning it off."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import flash
from flask import make_response
from flask import render_template
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from blueprints.staff.audit import record
from blueprints.staff.credentials import TWO_FACTOR
from blueprints.staff.credentials import credentials_changed
from blueprints.staff.passwords import verify_password
from blueprints.staff.recovery_codes import new_codes
from blueprints.staff.recovery_codes import replace_codes
from blueprints.staff.second_factor import limit_key
from blueprints.staff.second_factor import refuse
from blueprints.staff.second_factor import spend_factor
from blueprints.staff.second_factor import switch_off
from blueprints.staff.two_factor import CODES_KEY
from blueprints.staff.two_factor import status_page
from blueprints.staff.two_factor_forms import RenewCodesForm
from blueprints.staff.two_factor_forms import TurnOffForm
from blueprints.staff.views import bp
from extensions import limiter
from models import AuditAction
from models import User
from models import db
from storage.transactions import write_transaction
from web.htmx import see_other
from web.rate_limit import refund_hits

RENEW_FORM = "staff/_two_factor_renew_form.html"
OFF_FORM = "staff/_two_factor_off_form.html"
# Guesses at the current code or password count against the account's
# two-factor limit, as at sign-in; a right answer is refunded.
guarded = limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=lambda: limit_key(current_user.get_id()),
)


def _fresh_codes() -> list[str] | None:
    """The recovery codes this browser was just given, while they are on show."""
    codes = session.get(CODES_KEY)
    return codes if isinstance(codes, list) else None


def _shown_once() -> Response:
    """Back to the two-factor page: the codes were shown already."""
    flash("Recovery codes are shown only once, when they are made.", "warning")
    return see_other(url_for("staff.two_factor"))


@bp.get("/two-factor/recovery-codes")
@login_required
def two_factor_codes():
    """Show the new recovery codes, this once."""
    codes = _fresh_codes()
    if codes is None:
        return _shown_once()
    return render_template("staff/two_factor_codes.html", codes=codes)


@bp.get("/two-factor/recovery-codes.txt")
@login_required
def two_factor_codes_file():
    """The new recovery codes as a text file to keep."""
    codes = _fresh_codes()
    if codes is None:
        return _shown_once()
    site = current_app.config["SITE_TITLE"]
    text = f"{site} recovery codes for {current_user.email}\n" + "\n".join(codes)
    response = make_response(text + "\n")
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = (
        'attachment; filename="recovery-codes.txt"'
    )
    return response


@bp.post("/two-factor/recovery-codes/done")
@login_required
def two_factor_codes_done():
    """Stop showing the new recovery codes (they are never shown again)."""
    session.pop(CODES_KEY, None)
    return see_other(url_for("staff.two_factor"))


@bp.post("/two-factor/recovery-codes")
@login_required
@guarded
def two_factor_codes_renew():
    """Make ten new recovery codes (a current code is required); the old ones stop working."""
    form = RenewCodesForm(prefix="renew")
    if not current_user.two_factor_on:
        return see_other(url_for("staff.two_factor"))
    if not form.validate_on_submit():
        return status_page(RENEW_FORM, 422, renew_form=form)
    codes = new_codes()
    with write_transaction() as transaction:
        user = db.session.get(User, current_user.id)
        outcome = spend_factor(user, form.code.data, None)
        if outcome.accepted:
            replace_codes(user.id, codes)
            record(AuditAction.RECOVERY_CODES_RENEWED, target=user)
        else:
            transaction.rollback()
    if not outcome.accepted:
        refuse(form, outcome, user, "new recovery codes")
        return status_page(RENEW_FORM, 422, renew_form=form)
    refund_hits()
    session[CODES_KEY] = codes
    return see_other(url_for("staff.two_factor_codes"))


@bp.post("/two-factor/off")
@login_required
@guarded
def two_factor_off():
    """Turn two-factor sign-in off: the password and a current or recovery code."""
    form = TurnOffForm()
    user = db.session.get(User, current_user.id)
    if not user.two_factor_on:
        return see_other(url_for("staff.two_factor"))
    if not form.validate_on_submit():
        return status_page(OFF_FORM, 422, off_form=form)
    if not verify_password(user.password_hash, form.current_password.data):
        form.current_password.errors.append("That is not your current password.")
        return status_page(OFF_FORM, 422, off_form=form)
    with write_transaction() as transaction:
        user = db.session.get(User, current_user.id)
        outcome = spend_factor(user, form.code.data, form.recovery_code.data)
        if outcome.accepted:
            switch_off(user)
            credentials_changed(user, TWO_FACTOR)
            record(AuditAction.TWO_FACTOR_DISABLED, target=user, detail=outcome.value)
        else:
            transaction.rollback()
    if not outcome.accepted:
        refuse(form, outcome, user, "turning off")
        return status_page(OFF_FORM, 422, off_form=form)
    refund_hits()
    flash("Two-factor sign-in is off. Your other sessions are signed out.", "success")
    return see_other(url_for("staff.password"))
