"""The readers blueprint: "Your comments", self-service by mailed link (no accounts).

Other blueprints may import its public modules, and no other module:
edits (changing a comment's text with its history, which staff use too).

Public modules: edits.
"""

from blueprints.readers.views import bp

__all__ = ["bp"]
