"""The last step of every sign-in, with or without a second factor.

open_session() runs inside the sign-in's write (with the check of a second
factor, when there is one, so a spent code and the session it opened commit
together); signed_in() then puts the session on the cookie and answers.
"""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import flash

from blueprints.staff.audit import record
from blueprints.staff.sessions import Ticket
from blueprints.staff.sessions import end_this_session
from blueprints.staff.sessions import sign_in
from blueprints.staff.sessions import start_session
from models import AuditAction
from models import User
from models import utcnow
from signals import staff_signed_in
from web.htmx import see_other


def open_session(user: User, detail: str = "") -> Ticket:
    """Start user's session in the caller's write, ending the one this browser had."""
    user.last_login_at = utcnow()
    # Signing in again (or as someone else) in this browser ends the
    # session it had: a copy of the old cookie must not outlive it.
    end_this_session()
    ticket = start_session(user)
    record(AuditAction.SIGN_IN, actor=user, target=user, detail=detail)
    return ticket


def signed_in(user: User, ticket: Ticket, target: str) -> Response:
    """Put the new session on the cookie, tell the receivers, and go to target."""
    sign_in(user, ticket)
    staff_signed_in.send(current_app._get_current_object(), user=user)
    flash(f"Signed in as {user.display_name}.", "success")
    return see_other(target)
