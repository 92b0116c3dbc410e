"""One's own two-factor sign-in: enrol, recovery codes, turn off; and the gate
that keeps an account without it on the enrolment page when it is required."""

from __future__ import annotations

from flask import Response
from flask import flash
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from blueprints.staff.audit import record
from blueprints.staff.credentials import TWO_FACTOR
from blueprints.staff.credentials import credentials_changed
from blueprints.staff.passwords import verify_password
from blueprints.staff.recovery_codes import codes_left
from blueprints.staff.recovery_codes import new_codes
from blueprints.staff.recovery_codes import replace_codes
from blueprints.staff.second_factor import REFUSALS
from blueprints.staff.second_factor import WRONG_PASSWORD
from blueprints.staff.second_factor import Outcome
from blueprints.staff.second_factor import guarded
from blueprints.staff.totp import matching_step
from blueprints.staff.totp import new_secret
from blueprints.staff.totp import qr_svg
from blueprints.staff.totp import seal
from blueprints.staff.totp import setup_uri
from blueprints.staff.two_factor_forms import EnrolForm
from blueprints.staff.two_factor_forms import RenewCodesForm
from blueprints.staff.two_factor_forms import TurnOffForm
from blueprints.staff.two_factor_session import drop_enrol_secret
from blueprints.staff.two_factor_session import enrol_secret
from blueprints.staff.two_factor_session import keep_enrol_secret
from blueprints.staff.two_factor_session import keep_fresh_codes
from blueprints.staff.views import bp
from models import AuditAction
from models import User
from models import db
from models import utcnow
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment
from web.rate_limit import refund_hits


def _enrol_page(form: EnrolForm, status: int = 200) -> Response:
    """The enrolment page (QR code, secret, code field); htmx gets the form alone."""
    secret = enrol_secret()
    if secret is None:
        secret = new_secret()
        keep_enrol_secret(secret)
    page_only = {}
    if not wants_fragment():  # the form alone needs neither
        page_only["secret"] = " ".join(
            secret[i : i + 4] for i in range(0, len(secret), 4)
        )
        page_only["qr"] = qr_svg(setup_uri(secret, current_user.email))
    return render(
        "staff/two_factor_enrol.html",
        "staff/_two_factor_enrol_form.html",
        status,
        form=form,
        **page_only,
    )


def status_page(fragment: str = "", status: int = 200, **forms) -> Response:
    """The page of an account with two-factor sign-in on: new codes, turn off."""
    forms.setdefault("renew_form", RenewCodesForm(formdata=None, prefix="renew"))
    forms.setdefault("off_form", TurnOffForm(formdata=None))
    return render(
        "staff/two_factor.html",
        fragment or "staff/two_factor.html",
        status,
        codes_left=codes_left(current_user.id),
        **forms,
    )


@bp.get("/two-factor")
@login_required
def two_factor():
    """Enrol in two-factor sign-in, or manage it once it is on."""
    if current_user.two_factor_on:
        return status_page()
    return _enrol_page(EnrolForm())


@bp.post("/two-factor")
@login_required
@guarded
def two_factor_enable():
    """Turn two-factor sign-in on: the password, and the first right code from the app.

    The password, as for every change of credentials: a stolen session alone
    must not enrol an app of its own and lock the owner out.
    """
    form = EnrolForm()
    secret = enrol_secret()
    if current_user.two_factor_on or secret is None:
        return see_other(url_for("staff.two_factor"))
    if not form.validate_on_submit():
        return _enrol_page(form, 422)
    user = db.session.get(User, current_user.id)
    if not verify_password(user.password_hash, form.current_password.data):
        form.current_password.errors.append(WRONG_PASSWORD)
        return _enrol_page(form, 422)
    step = matching_step(secret, form.code.data)
    if step is None:
        form.code.errors.append(REFUSALS[Outcome.WRONG_CODE][1])
        return _enrol_page(form, 422)
    refund_hits()
    codes = new_codes()
    with write_transaction():
        user = db.session.get(User, current_user.id)
        user.totp_secret = seal(secret)
        user.totp_enabled_at = utcnow()
        user.totp_last_step = step
        replace_codes(user.id, codes)
        credentials_changed(user, TWO_FACTOR)
        record(AuditAction.TWO_FACTOR_ENABLED, target=user)
    drop_enrol_secret()
    keep_fresh_codes(codes)
    flash("Two-factor sign-in is on. Your other sessions are signed out.", "success")
    return see_other(url_for("staff.two_factor_codes"))
