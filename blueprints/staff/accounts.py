"""Staff accounts, managed by admins: add, change role, deactivate."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import render_template
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.staff.access import ACCOUNTS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.forms import ROLE_CHOICES
from blueprints.staff.forms import ActionForm
from blueprints.staff.forms import RoleForm
from blueprints.staff.forms import UserCreateForm
from blueprints.staff.passwords import STRENGTH_HINT
from blueprints.staff.passwords import hash_password
from blueprints.staff.sessions import end_all_sessions
from blueprints.staff.views import bp
from models import AuditAction
from models import Role
from models import User
from models import db
from storage.transactions import write_transaction
from web.htmx import see_other


def _users_page(form: UserCreateForm, status: int = 200):
    """The accounts page with the given add-account form."""
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return (
        render_template(
            "staff/users.html",
            users=users,
            form=form,
            roles=ROLE_CHOICES,
            action_form=ActionForm(),
            strength_hint=STRENGTH_HINT,
        ),
        status,
    )


@bp.get("/users")
@role_required(ACCOUNTS)
def users():
    """List staff accounts with the form to add one."""
    return _users_page(UserCreateForm())


@bp.post("/users")
@role_required(ACCOUNTS)
def users_create():
    """Add a staff account."""
    form = UserCreateForm()
    if not form.validate_on_submit():
        return _users_page(form, 422)
    email = form.email.data.strip().lower()
    password_hash = hash_password(form.password.data)
    with write_transaction() as transaction:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            transaction.rollback()
            form.email.errors.append("An account with this email already exists.")
            return _users_page(form, 422)
        user = User(
            email=email,
            display_name=form.display_name.data.strip(),
            password_hash=password_hash,
            role=Role(form.role.data),
        )
        db.session.add(user)
        db.session.flush()
        record(AuditAction.ACCOUNT_CREATED, target=user, detail=f"role {user.role}")
    flash(f"Added {email}.", "success")
    return see_other(url_for("staff.users"))


SELF_CHANGE = "You cannot change your own role or deactivate yourself."


@bp.post("/users/<int:user_id>/role")
@role_required(ACCOUNTS)
def users_role(user_id: int):
    """Change another account's role."""
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    if user_id == current_user.id:
        flash(SELF_CHANGE, "error")
        return see_other(url_for("staff.users"))
    with write_transaction():
        user = db.get_or_404(User, user_id)
        old, user.role = user.role, Role(form.role.data)
        if user.role != old:
            record(AuditAction.ROLE_CHANGED, target=user, detail=f"{old} → {user.role}")
    flash(f"{user.email} is now {user.role.value}.", "success")
    return see_other(url_for("staff.users"))


@bp.post("/users/<int:user_id>/active")
@role_required(ACCOUNTS)
def users_active(user_id: int):
    """Deactivate an account (signed out everywhere, no new sign-in), or reactivate it."""
    if user_id == current_user.id:
        flash(SELF_CHANGE, "error")
        return see_other(url_for("staff.users"))
    with write_transaction():
        user = db.get_or_404(User, user_id)
        user.is_active = not user.is_active
        if not user.is_active:
            # Reactivating it later must not bring its old sessions back.
            end_all_sessions(user_id)
        record(
            AuditAction.ACCOUNT_REACTIVATED
            if user.is_active
            else AuditAction.ACCOUNT_DEACTIVATED,
            target=user,
        )
    state = "reactivated" if user.is_active else "deactivated"
    flash(f"{user.email} {state}.", "success")
    return see_other(url_for("staff.users"))
