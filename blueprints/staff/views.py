"""The staff blueprint object and what every staff response shares.

The views live in one module per area (auth, accounts, dashboard, articles,
inbox, moderation); each registers its routes on this ``bp`` and the package's
``__init__`` imports them.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from extensions import login_manager

bp = Blueprint("staff", __name__)

login_manager.login_view = "staff.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "warning"


@bp.after_request
def _no_store(response: Response) -> Response:
    """Staff pages hold private data: never cache them anywhere."""
    response.headers["Cache-Control"] = "no-store"
    return response
