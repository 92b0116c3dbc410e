"""The page number of a staff list, read from a query or form argument."""

from __future__ import annotations

from flask import abort
from werkzeug.datastructures import MultiDict

# Far beyond any real list; keeps the OFFSET within what every database accepts.
MAX_PAGE = 100_000


def page_arg(values: MultiDict) -> int:
    """The ?page= value: absent or not a number is 1, out of range is a 404."""
    page = values.get("page", 1, type=int)
    if page < 1 or page > MAX_PAGE:
        abort(404)
    return page
