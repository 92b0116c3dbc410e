"""Reader comments: posting, replies and the comment section under an article."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("comments", __name__)
