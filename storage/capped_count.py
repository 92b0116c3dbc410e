"""Counting rows without reading a million of them: up to a cap, then "10,000+".

A moderation queue after a spam wave or a big import may hold hundreds of
thousands of rows; counting them all on every staff page would cost what
the page itself never needs. Each count reads at most CAP + 1 index entries.
"""

from __future__ import annotations

from sqlalchemy import ScalarSelect
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select

CAP = 10_000


def capped(statement: Select, cap: int = CAP) -> ScalarSelect:
    """A scalar subquery counting statement's rows, stopping at cap + 1."""
    limited = (
        statement.with_only_columns(literal(1)).order_by(None).limit(cap + 1).subquery()
    )
    return select(func.count()).select_from(limited).scalar_subquery()


def count_label(count: int | None, cap: int = CAP) -> str:
    """A count as shown: "1,234", or "10,000+" past the cap."""
    if count is None:
        return ""
    return f"{cap:,}+" if count > cap else f"{count:,}"
