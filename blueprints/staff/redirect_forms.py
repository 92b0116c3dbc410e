"""Forms of the redirects page: add a redirect, change where one goes."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import ValidationError

from blueprints.staff.menu_forms import link_problem
from models import Redirect
from models import db
from web.form_filters import strip
from web.redirects import MAX_KEY_LENGTH
from web.redirects import key_for_address
from web.redirects import path_keys
from web.text_form import TextForm

LENGTH = f"At most {MAX_KEY_LENGTH} characters."
BAD_PATH = (
    "Type a path on this site that starts with / (such as /2019/05/hello/ or /?p=12)."
)
QUERY_DROPPED = (
    "Only the home page's WordPress links (/?p=12, /?cat=3…) keep their "
    "query: type this address without the part after ?."
)
HOME = "The home page itself cannot redirect."
LOOP = "A redirect to its own address would loop: choose another address."


def already_redirects(key: str) -> str:
    """The message for an old address that has a redirect already."""
    return f"{key} already redirects: change that one instead."


def _target_field() -> StringField:
    return StringField(
        "Redirects to",
        validators=[
            DataRequired("Type the address it redirects to."),
            Length(max=MAX_KEY_LENGTH, message=LENGTH),
        ],
        filters=[strip],
    )


class RedirectTargetForm(TextForm):
    """Where a redirect goes: a path on this site or an http(s) address."""

    # The old address's key, set by the view: a target equal to it would loop.
    old_key = ""

    target = _target_field()

    def key(self) -> str:
        """The key of the address that redirects."""
        return self.old_key

    def validate_target(self, field) -> None:
        """A safe address (no javascript:, no //host), and not the old one."""
        problem = link_problem(field.data)
        if problem:
            raise ValidationError(problem)
        # The old address is looked up with and without its trailing slash.
        if field.data.startswith("/") and key_for_address(field.data) in path_keys(
            self.key()
        ):
            raise ValidationError(LOOP)


class RedirectForm(RedirectTargetForm):
    """A new redirect: the old address and where it goes."""

    path = StringField(
        "Old address",
        validators=[
            DataRequired("Type the old address."),
            Length(max=MAX_KEY_LENGTH, message=LENGTH),
        ],
        filters=[strip],
    )

    def key(self) -> str:
        """The key the old address is stored under."""
        return key_for_address(self.path.data or "")

    def validate_path(self, field) -> None:
        """A path on this site, whose key no other redirect has."""
        if not field.data.startswith("/") or link_problem(field.data):
            raise ValidationError(BAD_PATH)
        key = self.key()
        if urlsplit(field.data).query and "?" not in key:
            raise ValidationError(QUERY_DROPPED)
        if key == "/":
            raise ValidationError(HOME)
        taken = select(Redirect.id).where(Redirect.path == key)
        if db.session.scalar(taken) is not None:
            raise ValidationError(already_redirects(key))
