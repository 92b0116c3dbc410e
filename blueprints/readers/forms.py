"""The forms of "Your comments": the address to mail a link to, and an edited text."""

from __future__ import annotations

from wtforms import EmailField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

from web.form_filters import lower
from web.form_filters import strip
from web.text_form import TextForm

MAX_EMAIL = 100
MAX_COMMENT = 65525


class LinkRequestForm(TextForm):
    """The address a reader wants a "Your comments" link sent to."""

    email = EmailField(
        "Email",
        filters=[strip, lower],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=MAX_EMAIL, message=f"Use at most {MAX_EMAIL} characters."),
            # Rejects CR, LF and anything else that is not one plain address.
            Email("Enter a valid email address, like name@example.com."),
        ],
    )


class EditForm(TextForm):
    """A comment's new text."""

    body = TextAreaField(
        "Comment",
        filters=[strip],
        validators=[
            DataRequired("Write a comment."),
            Length(
                max=MAX_COMMENT,
                message=f"Keep the comment under {MAX_COMMENT:,} characters.",
            ),
        ],
    )


class ConfirmForm(TextForm):
    """A CSRF-only form for buttons that change something."""
