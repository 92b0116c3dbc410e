"""The plugin's one form: a button, so only its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RecountForm(FlaskForm):
    """Rebuild the counts from the comments (CSRF only)."""
