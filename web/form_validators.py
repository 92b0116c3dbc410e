"""WTForms validators shared by forms of several blueprints."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms.validators import ValidationError

_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


class WebAddress:
    """An absolute http:// or https:// address with a host: no javascript:, data:
    or mailto:, no spaces or control characters. Empty passes (put Optional or
    DataRequired before it)."""

    def __init__(
        self, message: str = "Enter a web address starting with http:// or https://."
    ) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if not value:
            return
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a port that is not one
        except ValueError:
            raise ValidationError(self.message) from None
        if (
            parts.scheme.lower() not in {"http", "https"}
            or not parts.hostname
            or _SPACE_OR_CONTROL.search(value)
        ):
            raise ValidationError(self.message)
