"""The articles blueprint."""

from blueprints.articles.views import bp

__all__ = ["bp"]
