"""The staff blueprint object, with what every staff page shares (area.py).

The views live in one module per area (auth, password_recovery, accounts,
dashboard, articles, pages, menus, media, inbox, moderation); each registers
its routes on this ``bp`` and the package's ``__init__`` imports them.
"""

from __future__ import annotations

from flask import Blueprint

from blueprints.staff.area import staff_area
from extensions import login_manager

bp = staff_area(Blueprint("staff", __name__))

login_manager.login_view = "staff.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "warning"
