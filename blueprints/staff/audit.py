"""The staff audit log's one writer: record() adds an event to the caller's write.

Recorded in the same transaction as the change itself, so the log never shows
a change that was rolled back and a change is never stored without its line.
The admins' page that reads it is blueprints/staff/audit_log.py.
"""

from __future__ import annotations

from flask import has_request_context
from flask import request
from flask_login import current_user

from models import AuditAction
from models import AuditEvent
from models import User
from models import db

DETAIL_MAX = 1000


def _label(user: User | None) -> str:
    """How the log names an account: its email (the display name may change)."""
    return user.email if user is not None else ""


def record(
    action: AuditAction,
    *,
    target: User | None = None,
    actor: User | None = None,
    actor_label: str = "",
    detail: str = "",
) -> None:
    """Add an audit event to the caller's write transaction.

    actor defaults to the signed-in staff member; actor_label names someone
    without an account (the address a failed sign-in typed).
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = db.session.get(User, current_user.id)
    ip = (request.remote_addr or "") if has_request_context() else ""
    db.session.add(
        AuditEvent(
            action=action.value,
            actor_id=actor.id if actor is not None else None,
            actor_label=(actor_label or _label(actor))[:254],
            target_id=target.id if target is not None else None,
            target_label=_label(target),
            ip=ip[:45],
            detail=detail[:DETAIL_MAX],
        )
    )
