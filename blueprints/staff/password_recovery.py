"""Forgot password: asking for a reset link by mail, and setting a new password with it."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import flash
from flask import request
from flask import url_for
from flask_limiter import RequestLimit
from sqlalchemy import select

from blueprints.staff.audit import record
from blueprints.staff.credentials import PASSWORD
from blueprints.staff.credentials import credentials_changed
from blueprints.staff.forms import PasswordForgotForm
from blueprints.staff.forms import PasswordResetForm
from blueprints.staff.password_resets import new_reset_mail
from blueprints.staff.password_resets import store_reset
from blueprints.staff.password_resets import usable_account
from blueprints.staff.password_resets import use_reset
from blueprints.staff.passwords import STRENGTH_HINT
from blueprints.staff.passwords import account_words
from blueprints.staff.passwords import hash_password
from blueprints.staff.views import bp
from extensions import limiter
from mail.outbox import enqueue
from models import AuditAction
from models import User
from models import db
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other

SENT = (
    "If an account uses this address, we have sent it a link to choose a new"
    " password. Check your mail."
)
TOO_OFTEN = "Too many reset requests. Wait a while, then try again."


def _forgot_page(form: PasswordForgotForm, status: int = 200) -> Response:
    """The forgot-password page, or its form alone for htmx."""
    return render(
        "staff/password_forgot.html", "staff/_forgot_form.html", status, form=form
    )


def _forgot_too_often(limit: RequestLimit) -> Response:
    """A 429 that shows the form again, with why."""
    form = PasswordForgotForm()
    form.email.errors = [TOO_OFTEN]
    return _forgot_page(form, 429)


def _account_key() -> str:
    """Rate-limit key for the address a reset request names."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"reset-account:{email}"


def _ip_key() -> str:
    """Rate-limit key for the client: requests and new passwords count together."""
    return f"reset-ip:{request.remote_addr}"


def _no_referrer(response: Response) -> Response:
    """Keep the token in the URL out of every Referer the page's requests send."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _reset_page(form: PasswordResetForm, token: str, status: int = 200) -> Response:
    """The new-password page for a working link, or its form alone for htmx."""
    response = render(
        "staff/password_reset.html",
        "staff/_reset_form.html",
        status,
        form=form,
        token=token,
        strength_hint=STRENGTH_HINT,
    )
    return _no_referrer(response)


def _link_gone() -> Response:
    """410: the link is unknown, used or expired; the page offers to ask again."""
    response = render("staff/password_reset_gone.html", "staff/_reset_gone.html", 410)
    return _no_referrer(response)


def _reset_form(user: User) -> PasswordResetForm:
    """The new-password form, judged against the words about user's account."""
    form = PasswordResetForm()
    form.account_words = account_words(user.email, user.display_name)
    return form


@bp.get("/password/forgot")
def password_forgot():
    """Show the form that asks for a reset link."""
    return _forgot_page(PasswordForgotForm())


# Every request counts (a mail is work done for the asker), per client and
# per address, so nobody can flood one mailbox or probe many addresses.
@bp.post("/password/forgot")
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_IP"],
    key_func=_ip_key,
    on_breach=_forgot_too_often,
)
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    on_breach=_forgot_too_often,
)
def password_forgot_post():
    """Mail a reset link to an active account; the same answer, and work, for any address."""
    form = PasswordForgotForm()
    if not form.validate_on_submit():
        return _forgot_page(form, 422)
    email = form.email.data.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    # Made for every address, so an unknown one answers no sooner.
    mail = new_reset_mail(email)
    with write_transaction():
        known = user is not None and user.is_active
        if known:
            store_reset(user.id, mail.digest)
            enqueue([user.email], mail.subject, mail.body)
        # Written for every address: both answers do the same writes.
        record(
            AuditAction.PASSWORD_RESET_REQUESTED,
            actor_label=email,
            target=user,
            detail="link mailed" if known else "no active account has this address",
        )
    flash(SENT, "success")
    return see_other(url_for("staff.login"))


@bp.get("/password/reset/<token>")
def password_reset(token: str):
    """Show the new-password form for a working link, else say it no longer works."""
    user = usable_account(token)
    if user is None:
        return _link_gone()
    return _reset_page(_reset_form(user), token)


@bp.post("/password/reset/<token>")
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_IP"], key_func=_ip_key
)
def password_reset_post(token: str):
    """Set the new password, use up the link and end every session of the account."""
    user = usable_account(token)
    if user is None:
        return _link_gone()
    form = _reset_form(user)
    if not form.validate_on_submit():
        return _reset_page(form, token, 422)
    new_hash = hash_password(form.new_password.data)
    with write_transaction() as transaction:
        user = use_reset(token)
        if user is None:  # used by another submission meanwhile
            transaction.rollback()
            return _link_gone()
        user.password_hash = new_hash
        credentials_changed(user, PASSWORD, by_owner=False)
        record(AuditAction.PASSWORD_RESET, actor=user, target=user)
    flash("Your password has been changed. Sign in with it.", "success")
    return see_other(url_for("staff.login"))


@bp.post("/password/reset/<token>/strength")
def password_reset_strength(token: str):
    """Judge a new password as it is typed, for a working link only; htmx gets the hint."""
    user = usable_account(token)
    if user is None:
        return _link_gone()
    form = _reset_form(user)
    form.new_password.validate(form)
    response = render(
        "staff/_password_hint.html",
        "staff/_password_hint.html",
        field=form.new_password,
        strength_hint=STRENGTH_HINT,
    )
    return _no_referrer(response)
