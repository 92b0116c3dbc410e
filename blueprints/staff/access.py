"""Who may do what in the staff area: roles per area and the checking decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask import make_response
from flask_login import current_user

from blueprints.staff.area import no_store
from blueprints.staff.area import two_factor_gate
from extensions import login_manager
from models import Role

ACCOUNTS = frozenset({Role.ADMIN})
ARTICLES = frozenset({Role.ADMIN, Role.EDITOR})
COMMENTS = frozenset({Role.ADMIN, Role.EDITOR, Role.MODERATOR})
INBOX = frozenset({Role.ADMIN, Role.MODERATOR})
SETTINGS = frozenset({Role.ADMIN})
MENUS = frozenset({Role.ADMIN})
REDIRECTS = frozenset({Role.ADMIN})
ANY_STAFF = frozenset(Role)


def can(area: frozenset[Role]) -> bool:
    """True when the signed-in user's role opens this area."""
    return current_user.is_authenticated and current_user.role in area


def role_required(area: frozenset[Role]) -> Callable:
    """Send anonymous visitors to sign in; answer 403 to staff without the role.

    The staff area's own rules come with it (area.py: the two-factor gate,
    no-store), so a view on any blueprint (a plugin's) is a staff page whole.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in area:
                abort(403)
            gate = two_factor_gate()
            if gate is not None:
                return gate
            return no_store(make_response(view(*args, **kwargs)))

        return wrapped

    return decorator
