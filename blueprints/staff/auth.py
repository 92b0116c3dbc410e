"""Signing in and out, one's own password, and one's sessions."""

from __future__ import annotations

from functools import cache

from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import logout_user
from sqlalchemy import select

from blueprints.staff.audit import record
from blueprints.staff.credentials import PASSWORD
from blueprints.staff.credentials import credentials_changed
from blueprints.staff.device_names import device_name
from blueprints.staff.forms import LoginForm
from blueprints.staff.forms import PasswordChangeForm
from blueprints.staff.forms import UserCreateForm
from blueprints.staff.passwords import STRENGTH_HINT
from blueprints.staff.passwords import hash_password
from blueprints.staff.passwords import needs_rehash
from blueprints.staff.passwords import verify_password
from blueprints.staff.pending_sign_in import start_pending
from blueprints.staff.safe_next import safe_next
from blueprints.staff.sessions import end_all_sessions
from blueprints.staff.sessions import end_this_session
from blueprints.staff.sessions import is_current
from blueprints.staff.sessions import live_sessions
from blueprints.staff.signing_in import open_session
from blueprints.staff.signing_in import signed_in
from blueprints.staff.trusted_devices import devices_of
from blueprints.staff.trusted_devices import is_trusted
from blueprints.staff.views import bp
from extensions import limiter
from models import AuditAction
from models import User
from models import db
from storage.transactions import write_transaction
from web.htmx import see_other
from web.rate_limit import refund_hits

BAD_LOGIN = "That email and password do not match an active staff account."


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the email is unknown, made once per process."""
    # Verifying against a real hash with today's parameters keeps the timing
    # of "no such user" and "wrong password" the same.
    return hash_password("no account has this password")


def _account_key() -> str:
    """Rate-limit key for the account a sign-in attempt names."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"login-account:{email}"


@bp.get("/login")
def login():
    """Show the sign-in form."""
    if current_user.is_authenticated:
        return see_other(url_for("staff.dashboard"))
    form = LoginForm(next=safe_next(request.args.get("next")) or "")
    return render_template("staff/login.html", form=form)


# Both limits count failed attempts: each attempt is counted before the view
# runs, atomically, and a successful one is refunded (web.rate_limit.refund_hits).
@bp.post("/login")
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    key_func=lambda: f"login-ip:{request.remote_addr}",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
)
def login_post():
    """Check the credentials; on success start a fresh session."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 422
    # Made (once) whoever signs in, so the first attempt in a process takes
    # as long for an unknown email as for a known one.
    dummy = _dummy_hash()
    email = form.email.data.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    # Argon2 runs outside any write: a slow or failed sign-in holds up no one.
    stored = user.password_hash if user is not None else dummy
    password_ok = verify_password(stored, form.password.data)
    if user is None or not password_ok or not user.is_active:
        _record_failure(email, user, password_ok)
        form.password.errors.append(BAD_LOGIN)
        return render_template("staff/login.html", form=form, failed=True), 422
    refund_hits()
    rehashed = hash_password(form.password.data) if needs_rehash(stored) else None
    target = safe_next(form.next.data) or url_for("staff.dashboard")
    user_id = user.id
    with write_transaction():
        user = db.session.get(User, user_id)
        if rehashed is not None:
            user.password_hash = rehashed
        if user.two_factor_on and not is_trusted(user):
            end_this_session()
            start_pending(user, target)
            return see_other(url_for("staff.login_two_factor"))
        detail = "remembered browser" if user.two_factor_on else ""
        ticket = open_session(user, detail)
    return signed_in(user, ticket, target)


def _record_failure(email: str, user: User | None, password_ok: bool) -> None:
    """Log a refused sign-in, naming what was wrong for the admins' eyes only."""
    if user is None:
        reason = "no account has this address"
    elif not password_ok:
        reason = "wrong password"
    else:
        reason = "account deactivated"
    with write_transaction():
        record(
            AuditAction.SIGN_IN_FAILED, actor_label=email, target=user, detail=reason
        )


@bp.post("/logout")
def logout():
    """Sign out (a POST, so no other site can sign a user out with a link)."""
    # CSRFProtect has already checked the token of every POST.
    with write_transaction():
        end_this_session()
        if current_user.is_authenticated:
            record(AuditAction.SIGN_OUT, target=db.session.get(User, current_user.id))
    logout_user()
    session.clear()
    flash("Signed out.", "success")
    return see_other(url_for("staff.login"))


def _password_page(form: PasswordChangeForm, status: int = 200):
    """The password page: the form, and the account's sessions."""
    return (
        render_template(
            "staff/password.html",
            form=form,
            sessions=live_sessions(current_user.id),
            is_current=is_current,
            device_name=device_name,
            devices=devices_of(current_user),
            strength_hint=STRENGTH_HINT,
        ),
        status,
    )


@bp.get("/password")
@login_required
def password():
    """Show the form to change one's own password, and one's sessions."""
    return _password_page(PasswordChangeForm())


@bp.post("/password")
@login_required
# A stolen cookie must not guess the current password at Argon2's pace: it
# would survive the revocation that follows. Counted first, refunded when right.
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=lambda: f"password-change:{current_user.get_id()}",
)
def password_post():
    """Change one's own password; the current one is required.

    Every other session of the account ends; this one goes on, re-issued.
    """
    form = PasswordChangeForm()
    user_id = current_user.id
    user = db.session.get(User, user_id)
    # The current password first, so weak new ones do not use up the tries.
    if not verify_password(user.password_hash, form.current_password.data or ""):
        form.validate()
        form.current_password.errors.append("That is not your current password.")
        return _password_page(form, 422)
    refund_hits()
    if not form.validate_on_submit():
        return _password_page(form, 422)
    new_hash = hash_password(form.new_password.data)
    with write_transaction():
        user = db.session.get(User, user_id)
        user.password_hash = new_hash
        credentials_changed(user, PASSWORD)
        record(AuditAction.PASSWORD_CHANGED, target=user)
    flash(
        "Your password has been changed. Your other sessions are signed out.", "success"
    )
    return see_other(url_for("staff.dashboard"))


# The forms that set a password, by the name their strength check is called
# with: the form and its password field.
PASSWORD_FIELDS = {
    "own": (PasswordChangeForm, "new_password"),
    "new-account": (UserCreateForm, "password"),
}


@bp.post('/password/strength/<any(own, "new-account"):kind>')
@login_required
def password_strength(kind: str):
    """Judge a password as it is typed, by its form's own rules; htmx gets the hint."""
    form_class, name = PASSWORD_FIELDS[kind]
    form = form_class()
    field = form[name]
    field.validate(form)
    return render_template(
        "staff/_password_hint.html", field=field, strength_hint=STRENGTH_HINT
    )


@bp.post("/sessions/others")
@login_required
def sessions_end_others():
    """Sign out every other session of one's account (this one goes on, re-issued)."""
    user_id = current_user.id
    with write_transaction():
        end_all_sessions(user_id, except_current=True)
        record(
            AuditAction.SESSIONS_ENDED,
            target=db.session.get(User, user_id),
            detail="every other session",
        )
    flash("Your other sessions are signed out.", "success")
    return see_other(url_for("staff.password"))
