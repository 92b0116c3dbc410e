"""The staff audit log, for admins: every recorded event, newest first, filterable."""

from __future__ import annotations

from flask import request
from sqlalchemy import or_
from sqlalchemy import select

from blueprints.staff.access import ACCOUNTS
from blueprints.staff.access import role_required
from blueprints.staff.paging import page_arg
from blueprints.staff.views import bp
from models import MAX_ID
from models import AuditAction
from models import AuditEvent
from models import User
from models import db
from web.htmx import render

PER_PAGE = 50

# What each event is called on the page.
LABELS = {
    AuditAction.SIGN_IN: "Signed in",
    AuditAction.SIGN_IN_FAILED: "Sign-in refused",
    AuditAction.SIGN_OUT: "Signed out",
    AuditAction.PASSWORD_CHANGED: "Password changed",
    AuditAction.PASSWORD_RESET_REQUESTED: "Password reset asked for",
    AuditAction.PASSWORD_RESET: "Password reset by mailed link",
    AuditAction.SESSIONS_ENDED: "Sessions signed out",
    AuditAction.ACCOUNT_CREATED: "Account added",
    AuditAction.ROLE_CHANGED: "Role changed",
    AuditAction.ACCOUNT_DEACTIVATED: "Account deactivated",
    AuditAction.ACCOUNT_REACTIVATED: "Account reactivated",
    AuditAction.PROFILE_CHANGED: "Profile changed",
    AuditAction.SETTINGS_CHANGED: "Site settings changed",
    AuditAction.TWO_FACTOR_ENABLED: "Two-factor sign-in turned on",
    AuditAction.TWO_FACTOR_DISABLED: "Two-factor sign-in turned off",
    AuditAction.TWO_FACTOR_RESET: "Two-factor sign-in reset by an admin",
    AuditAction.TWO_FACTOR_FAILED: "Two-factor code refused",
    AuditAction.RECOVERY_CODE_USED: "Recovery code used",
    AuditAction.RECOVERY_CODES_RENEWED: "Recovery codes renewed",
    AuditAction.SITE_EXPORTED: "Site exported",
    AuditAction.SITE_IMPORTED: "Site import started",
    AuditAction.REDIRECT_CHANGED: "Redirect added, changed or deleted",
    AuditAction.COMMENT_EDITED: "Comment text edited",
    AuditAction.READER_ERASED: "A reader erased their data",
}
# The events that say something went wrong, marked on the page.
WARNINGS = frozenset({AuditAction.SIGN_IN_FAILED, AuditAction.TWO_FACTOR_FAILED})


def _filters() -> tuple[AuditAction | None, int | None]:
    """The ?action= and ?account= filters; an unknown value is no filter."""
    try:
        action = AuditAction(request.args.get("action", ""))
    except ValueError:
        action = None
    account = request.args.get("account", type=int)
    if account is not None and not 0 < account <= MAX_ID:
        account = None  # no account has it, and the database could not compare it
    return action, account


def _events(action: AuditAction | None, account: int | None):
    """The query for the events the filters keep, newest first."""
    query = select(AuditEvent).order_by(
        AuditEvent.created_at.desc(), AuditEvent.id.desc()
    )
    if action is not None:
        query = query.where(AuditEvent.action == action.value)
    if account is not None:
        query = query.where(
            or_(AuditEvent.actor_id == account, AuditEvent.target_id == account)
        )
    return query


@bp.get("/audit")
@role_required(ACCOUNTS)
def audit():
    """The audit log, paged; htmx gets the filtered list alone."""
    action, account = _filters()
    page = db.paginate(
        _events(action, account),
        page=page_arg(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render(
        "staff/audit.html",
        "staff/_audit_list.html",
        page=page,
        action=action,
        account=account,
        accounts=db.session.execute(
            select(User.id, User.email).order_by(User.email)
        ).all(),
        labels=LABELS,
        warnings=WARNINGS,
    )
