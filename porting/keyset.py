"""Reading a large table a chunk at a time, in key order (keyset paging).

Each chunk is one query that starts after the last key seen, so the cost of
a chunk does not grow with how far into the table it is, and only one
chunk of rows is held at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select

from models import db

CHUNK = 500


def keyset_chunks(query: Select, key: ColumnElement) -> Iterator[list[Any]]:
    """The query's rows ordered by key (a unique column it selects), CHUNK at a time."""
    query = query.order_by(key).limit(CHUNK)
    last = None
    while True:
        rows = db.session.execute(
            query if last is None else query.where(key > last)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1]._mapping[key]
