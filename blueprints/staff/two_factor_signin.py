"""The second step of signing in to an account with two-factor sign-in: the code."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import flash
from flask import request
from flask import url_for
from flask_limiter import RequestLimit

from blueprints.staff.pending_sign_in import clear_pending
from blueprints.staff.pending_sign_in import pending
from blueprints.staff.pending_sign_in import pending_user
from blueprints.staff.second_factor import Outcome
from blueprints.staff.second_factor import limit_key
from blueprints.staff.second_factor import note_recovery_code
from blueprints.staff.second_factor import refuse
from blueprints.staff.second_factor import spend_factor
from blueprints.staff.signing_in import open_session
from blueprints.staff.signing_in import signed_in
from blueprints.staff.trusted_devices import remember
from blueprints.staff.trusted_devices import remember_days
from blueprints.staff.trusted_devices import set_cookie
from blueprints.staff.two_factor_forms import SignInCodeForm
from blueprints.staff.views import bp
from extensions import limiter
from models import User
from models import db
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.rate_limit import refund_hits

TOO_OFTEN = "Too many wrong codes. Wait a while, then try again."
EXPIRED = "Your sign-in took too long or is no longer valid. Sign in again."


def _code_page(form: SignInCodeForm, status: int = 200) -> Response:
    """The code step's page, or its form alone for htmx."""
    days = remember_days()
    form.remember.label.text = f"Don't ask again on this browser for {days} days"
    return render(
        "staff/login_two_factor.html",
        "staff/_two_factor_code_form.html",
        status,
        form=form,
        remember_days=days,
    )


def _start_again() -> Response:
    """Back to the password step: the pending sign-in is gone."""
    clear_pending()
    flash(EXPIRED, "warning")
    return see_other(url_for("staff.login"))


def _too_often(limit: RequestLimit) -> Response:
    """A 429 that shows the code form again, with why (htmx swaps it in place)."""
    form = SignInCodeForm()
    form.code.errors = [TOO_OFTEN]
    return _code_page(form, 429)


def _pending_key() -> str:
    """Rate-limit key for the account this browser is signing in to."""
    marker = pending()
    return limit_key(marker["user"] if marker else None)


@bp.get("/login/two-factor")
def login_two_factor():
    """Ask for the code from the app (or a recovery code) after a right password."""
    if pending_user() is None:
        return _start_again()
    return _code_page(SignInCodeForm())


# Failed codes count per account and per client, as failed passwords do; a
# right one is refunded.
@bp.post("/login/two-factor")
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    key_func=lambda: f"login-ip:{request.remote_addr}",
    on_breach=_too_often,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_pending_key,
    on_breach=_too_often,
)
def login_two_factor_post():
    """Check the code; when it is right, start the session the password step earned."""
    user = pending_user()
    if user is None:
        return _start_again()
    form = SignInCodeForm()
    if not form.validate_on_submit():
        return _code_page(form, 422)
    target, remembered = pending()["next"], None
    with write_transaction() as transaction:
        user = db.session.get(User, user.id)
        outcome = spend_factor(user, form.code.data, form.recovery_code.data)
        if not outcome.accepted:
            transaction.rollback()
        else:
            if outcome is Outcome.RECOVERY:
                note_recovery_code(user)
            if form.remember.data and remember_days():
                remembered = remember(user)
            ticket = open_session(user, outcome.value)
    if not outcome.accepted:
        refuse(form, outcome, user, "sign-in")
        return _code_page(form, 422)
    refund_hits()
    response = signed_in(user, ticket, target)
    return set_cookie(response, remembered) if remembered else response
