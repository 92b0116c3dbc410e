"""Signing in and out, and changing one's own password."""

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
from flask_login import login_user
from flask_login import logout_user
from sqlalchemy import select

from blueprints.staff.forms import LoginForm
from blueprints.staff.forms import PasswordChangeForm
from blueprints.staff.passwords import hash_password
from blueprints.staff.passwords import needs_rehash
from blueprints.staff.passwords import verify_password
from blueprints.staff.safe_next import safe_next
from blueprints.staff.views import bp
from extensions import limiter
from models import User
from models import db
from models import utcnow
from signals import staff_signed_in
from storage.transactions import write_transaction
from web.htmx import see_other
from web.rate_limit import refund_hits
from web.signing import rotate_csrf_token

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
        form.password.errors.append(BAD_LOGIN)
        return render_template("staff/login.html", form=form, failed=True), 422
    refund_hits()
    rehashed = hash_password(form.password.data) if needs_rehash(stored) else None
    user_id = user.id
    with write_transaction():
        user = db.session.get(User, user_id)
        if rehashed is not None:
            user.password_hash = rehashed
        user.last_login_at = utcnow()
    target = safe_next(form.next.data) or url_for("staff.dashboard")
    # Rotate the session: nothing from before sign-in survives, and the next
    # form gets a new CSRF token.
    session.clear()
    rotate_csrf_token()
    login_user(user)
    staff_signed_in.send(current_app._get_current_object(), user=user)
    flash(f"Signed in as {user.display_name}.", "success")
    return see_other(target)


@bp.post("/logout")
def logout():
    """Sign out (a POST, so no other site can sign a user out with a link)."""
    # CSRFProtect has already checked the token of every POST.
    logout_user()
    session.clear()
    flash("Signed out.", "success")
    return see_other(url_for("staff.login"))


@bp.get("/password")
@login_required
def password():
    """Show the form to change one's own password."""
    return render_template("staff/password.html", form=PasswordChangeForm())


@bp.post("/password")
@login_required
def password_post():
    """Change one's own password; the current one is required."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_template("staff/password.html", form=form), 422
    user_id = current_user.id
    user = db.session.get(User, user_id)
    if not verify_password(user.password_hash, form.current_password.data):
        form.current_password.errors.append("That is not your current password.")
        return render_template("staff/password.html", form=form), 422
    new_hash = hash_password(form.new_password.data)
    with write_transaction():
        db.session.get(User, user_id).password_hash = new_hash
    flash("Your password has been changed.", "success")
    return see_other(url_for("staff.dashboard"))
