"""The staff area: sign-in, dashboard, editor, moderation queue and inbox."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__)
