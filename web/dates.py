"""Dates as readers see them: in the site's time zone and date format (both settings).

Stored times stay UTC; the `reader_date` and `reader_datetime` filters are the
one place they are turned into text for readers. The format is one of the
named ones in web/editable_settings.DATE_FORMATS, never a pattern from a form.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask
from flask import current_app

from web.editable_settings import DATE_FORMATS


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(_zone(current_app.config["TIME_ZONE"]))


def _pattern() -> str:
    return DATE_FORMATS[current_app.config["DATE_FORMAT"]][0]


def reader_date(moment: datetime) -> str:
    """6 December 2026 (or the format chosen), in the site's time zone."""
    return _local(moment).strftime(_pattern())


def reader_datetime(moment: datetime) -> str:
    """6 December 2026 at 14:05, in the site's time zone."""
    return _local(moment).strftime(f"{_pattern()} at %H:%M")


def init_app(app: Flask) -> None:
    """Add the two filters."""
    app.jinja_env.filters.update(
        reader_date=reader_date, reader_datetime=reader_datetime
    )
