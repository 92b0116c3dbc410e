"""The comments blueprint."""

from blueprints.comments.views import bp

__all__ = ["bp"]
