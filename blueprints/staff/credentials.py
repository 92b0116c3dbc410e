"""What follows a change of an account's sign-in credentials: its other sessions end
and its own address is told by mail.

Called inside the write that stores the change, so the change, the ended
sessions and the queued mail commit together: a password changed without its
notice is what an intruder would want, so this mail does not wait for a signal
receiver's second transaction (docs/architecture.md). The password forms and
the two-factor changes (on, off, an admin's reset) call it.
"""

from __future__ import annotations

from flask import current_app
from flask import request

from blueprints.staff.sessions import end_all_sessions
from mail.outbox import enqueue
from models import User
from models import utcnow

PASSWORD = "password"
TWO_FACTOR = "two-factor authentication"


def credentials_changed(user: User, what: str, *, by_owner: bool = True) -> None:
    """End the account's other sessions and queue its notice, in the caller's write.

    by_owner: the change was made from one of the account's own sessions,
    which goes on; otherwise (an admin's reset) every session ends.
    """
    end_all_sessions(user.id, except_current=by_owner)
    enqueue([user.email], *notice(user, what))


def notice(user: User, what: str) -> tuple[str, str]:
    """Subject and body of the mail telling an account one of its credentials changed.

    It names the time and the client address, never the new secret.
    """
    site = current_app.config["SITE_TITLE"]
    when = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    address = request.remote_addr or "an unknown address"
    subject = f"[{site}] Your {what} was changed"
    body = (
        f"The {what} of your {site} staff account ({user.email}) was changed"
        f" at {when} from {address}.\n\n"
        "Your other sessions have been signed out.\n\n"
        f"If this was not you, contact an admin of {site} at once: someone else"
        " may be able to sign in as you.\n"
    )
    return subject, body
