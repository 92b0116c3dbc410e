"""The contact blueprint."""

from blueprints.contact.views import bp

__all__ = ["bp"]
