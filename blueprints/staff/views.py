"""The staff blueprint object and what every staff response shares.

The views live in one module per area (auth, password_recovery, accounts,
dashboard, articles, pages, menus, media, inbox, moderation); each registers its routes on this ``bp`` and the package's
``__init__`` imports them.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask_login import current_user

from extensions import login_manager

bp = Blueprint("staff", __name__)

login_manager.login_view = "staff.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "warning"


@bp.before_request
def _load_staff_user() -> None:
    """Check the session before the view runs (the loader may write last_seen_at)."""
    # Loaded here, not first inside a view's write block or its rendering.
    current_user._get_current_object()


@bp.after_request
def _no_store(response: Response) -> Response:
    """Staff pages hold private data: never cache them anywhere."""
    response.headers["Cache-Control"] = "no-store"
    return response
