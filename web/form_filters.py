"""WTForms filters shared by the reader-facing forms (they run before validators)."""

from __future__ import annotations


def strip(value: str | None) -> str | None:
    """Trim surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


def lower(value: str | None) -> str | None:
    """Lower-case (emails are compared and stored lower-cased)."""
    return value.lower() if isinstance(value, str) else value
