"""Forms of the menu editor: add a link, edit one, move one."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import AnyOf
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from models import MenuTarget
from web.form_filters import strip
from web.text_form import TextForm

LABEL_LENGTH = 80
URL_LENGTH = 500
# A link to an address rather than to a page, an article or a tag.
URL_CHOICE = MenuTarget.URL.value
# Spaces, control characters and backslashes (which browsers read as "/").
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\\]")
BAD_LINK = (
    "Use an address that starts with https:// or http://, "
    "or a path on this site that starts with / (such as /contact/)."
)
NEEDS_LABEL = "A link to an address needs a label."


def link_problem(url: str) -> str | None:
    """Why url may not be a menu link (None: it may): http(s) or a local path only."""
    if _UNSAFE.search(url):
        return BAD_LINK
    if url.startswith("/"):
        # "//host/..." would leave the site.
        return BAD_LINK if url.startswith("//") else None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return BAD_LINK
    return None


class MenuItemForm(TextForm):
    """A new menu item: what it links to; a label, and an address for a link."""

    target = SelectField("Links to", choices=[])
    label = StringField(
        "Label",
        validators=[Length(max=LABEL_LENGTH)],
        filters=[strip],
    )
    url = StringField("Address", validators=[Length(max=URL_LENGTH)], filters=[strip])

    def is_link(self) -> bool:
        """True when the item links to an address the editor typed."""
        return self.target.data == URL_CHOICE

    def validate_label(self, field) -> None:
        """A link to an address has no title of its own to show."""
        if self.is_link() and not field.data:
            raise ValidationError(NEEDS_LABEL)

    def validate_url(self, field) -> None:
        """An address only for a link, and a safe one (no javascript: and the like)."""
        if not self.is_link():
            return
        if not field.data:
            raise ValidationError("Type the address the link goes to.")
        problem = link_problem(field.data)
        if problem:
            raise ValidationError(problem)


class MenuItemEditForm(TextForm):
    """A menu item's label, and for a link its address (the form knows which)."""

    link = False

    label = StringField("Label", validators=[Length(max=LABEL_LENGTH)], filters=[strip])
    url = StringField("Address", validators=[Length(max=URL_LENGTH)], filters=[strip])

    def validate_label(self, field) -> None:
        """A link to an address has no title of its own to show."""
        if self.link and not field.data:
            raise ValidationError(NEEDS_LABEL)

    def validate_url(self, field) -> None:
        """A link's address stays a safe one."""
        if not self.link:
            return
        problem = link_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class MenuMoveForm(TextForm):
    """Move an item one place (the Move up / Move down buttons), or to a
    position (1 = first; dragging it there)."""

    direction = StringField(validators=[Optional(), AnyOf(["up", "down"])])
    position = IntegerField(validators=[Optional(), NumberRange(min=1, max=1000)])

    def validate(self, extra_validators=None) -> bool:
        """One of the two, or the form says nothing."""
        if not super().validate(extra_validators):
            return False
        if self.position.data is None and not self.direction.data:
            self.direction.errors.append("Say where the item goes.")
            return False
        return True
