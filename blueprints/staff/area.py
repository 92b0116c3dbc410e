"""What every staff page shares, Folio's own and plugins': the signed-in user
loaded first, the two-factor gate, and no caching anywhere.

``staff_area(bp)`` puts the three on a blueprint; the staff blueprint and each
plugin's staff blueprint (plugins.api.staff_blueprint) get them that way.
``role_required`` (access.py) applies the gate and no-store too, so a staff
view on any other blueprint has them.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import request
from flask import url_for
from flask_login import current_user

from web.htmx import see_other

# What an account without two-factor sign-in may reach while it is required.
GATE_OPEN = frozenset({"staff.logout", "staff.login", "staff.login_post"})


def _load_staff_user() -> None:
    """Check the session before the view runs (the loader may write last_seen_at)."""
    # Loaded here, not first inside a view's write block or its rendering.
    current_user._get_current_object()


def two_factor_gate() -> Response | None:
    """While two-factor sign-in is required, send an account without it to enrol."""
    if not (
        current_app.config["TWO_FACTOR_REQUIRED"]
        and current_user.is_authenticated
        and not current_user.two_factor_on
    ):
        return None
    endpoint = request.endpoint or ""
    if endpoint in GATE_OPEN or endpoint.startswith("staff.two_factor"):
        return None
    flash("Set up two-factor sign-in to continue: this site requires it.", "warning")
    return see_other(url_for("staff.two_factor"))


def no_store(response: Response) -> Response:
    """Staff pages hold private data: never cache them anywhere."""
    response.headers["Cache-Control"] = "no-store"
    return response


def staff_area(bp: Blueprint) -> Blueprint:
    """Give a blueprint's pages what every staff page has; returns it."""
    bp.before_request(_load_staff_user)
    bp.before_request(two_factor_gate)
    bp.after_request(no_store)
    return bp
