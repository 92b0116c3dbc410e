"""One's sessions and remembered browsers: sign one out, sign out everywhere, forget one."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import flash
from flask import make_response
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import logout_user
from sqlalchemy import select
from sqlalchemy import update

from blueprints.staff.audit import record
from blueprints.staff.device_names import device_name
from blueprints.staff.sessions import end_all_sessions
from blueprints.staff.sessions import is_current
from blueprints.staff.trusted_devices import forget
from blueprints.staff.views import bp
from models import AuditAction
from models import StaffSession
from models import User
from models import db
from models import utcnow
from storage.transactions import write_transaction
from web.htmx import see_other
from web.htmx import wants_fragment


def _removed(message: str) -> Response:
    """htmx: an empty 200 removes the row; a plain POST goes back to the page."""
    if wants_fragment():
        response = make_response("", 200)
        response.vary.add("HX-Request")
        return response
    flash(message, "success")
    return see_other(url_for("staff.password"))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def session_end(session_id: int):
    """Sign out one other session of one's account."""
    with write_transaction():
        row = db.session.scalar(
            select(StaffSession).where(
                StaffSession.id == session_id,
                StaffSession.user_id == current_user.id,
                StaffSession.ended_at.is_(None),
            )
        )
        if row is None or is_current(row):
            abort(404)
        db.session.execute(
            update(StaffSession)
            .where(StaffSession.id == session_id)
            .values(ended_at=utcnow())
        )
        where = f"{device_name(row.user_agent)} from {row.ip or 'an unknown address'}"
        record(
            AuditAction.SESSIONS_ENDED,
            target=db.session.get(User, current_user.id),
            detail=f"one session: {where}",
        )
    return _removed("That session is signed out.")


@bp.post("/sessions/all")
@login_required
def sessions_end_all():
    """Sign out every session of one's account, this one too."""
    user_id = current_user.id
    with write_transaction():
        end_all_sessions(user_id)
        record(
            AuditAction.SESSIONS_ENDED,
            target=db.session.get(User, user_id),
            detail="every session",
        )
    logout_user()
    session.clear()
    flash("You are signed out everywhere.", "success")
    return see_other(url_for("staff.login"))


@bp.post("/remembered-browsers/<int:device_id>/forget")
@login_required
def trusted_device_forget(device_id: int):
    """Forget a remembered browser: it asks for a code at the next sign-in."""
    with write_transaction():
        if not forget(current_user.id, device_id):
            abort(404)
    return _removed("That browser will ask for a code again.")
