"""The staff blueprint."""

from blueprints.staff.views import bp

__all__ = ["bp"]
