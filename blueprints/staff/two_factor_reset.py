"""An admin's reset of another account's two-factor sign-in (a lost phone)."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import render_template
from flask import url_for
from flask_login import current_user

from blueprints.staff.access import ACCOUNTS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.credentials import TWO_FACTOR
from blueprints.staff.credentials import credentials_changed
from blueprints.staff.forms import ActionForm
from blueprints.staff.second_factor import switch_off
from blueprints.staff.views import bp
from models import AuditAction
from models import User
from models import db
from storage.transactions import write_transaction
from web.htmx import see_other

OWN_RESET = "Turn your own two-factor sign-in off on its page, with your password."


def _resettable(user_id: int) -> User | None:
    """The account to reset; None (after saying why) when it cannot be."""
    if user_id == current_user.id:
        flash(OWN_RESET, "error")
        return None
    user = db.get_or_404(User, user_id)
    if not user.two_factor_on:
        flash(f"{user.email} does not use two-factor sign-in.", "warning")
        return None
    return user


@bp.get("/users/<int:user_id>/two-factor/reset")
@role_required(ACCOUNTS)
def users_two_factor_reset_confirm(user_id: int):
    """Ask before resetting an account's second factor."""
    user = _resettable(user_id)
    if user is None:
        return see_other(url_for("staff.users"))
    return render_template("staff/two_factor_reset.html", user=user, form=ActionForm())


@bp.post("/users/<int:user_id>/two-factor/reset")
@role_required(ACCOUNTS)
def users_two_factor_reset(user_id: int):
    """Clear an account's secret, recovery codes and remembered browsers; end its sessions."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with write_transaction() as transaction:
        user = _resettable(user_id)
        if user is None:
            transaction.rollback()
            return see_other(url_for("staff.users"))
        switch_off(user)
        credentials_changed(user, TWO_FACTOR, by_owner=False)
        record(AuditAction.TWO_FACTOR_RESET, target=user)
    flash(
        f"Two-factor sign-in of {user.email} is reset: it signs in with its"
        " password alone until it sets it up again.",
        "success",
    )
    return see_other(url_for("staff.users"))
