"""The "Contact us" page."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

bp = Blueprint("contact", __name__)


@bp.get("/")
def new():
    """Show the contact page."""
    return render_template("contact/new.html")
