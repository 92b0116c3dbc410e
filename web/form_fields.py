"""Fields several forms share, defined once: a reader's address, a comment's text."""

from __future__ import annotations

from wtforms import EmailField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

from web.form_filters import lower
from web.form_filters import strip

# WordPress's limit for a commenter's address (wp_get_comment_fields_max_lengths).
READER_EMAIL_MAX = 100
# And for a comment's text.
COMMENT_MAX = 65525


def reader_email_field(label: str = "Email") -> EmailField:
    """A reader's address, lower-cased as comments store it; one plain address only."""
    return EmailField(
        label,
        filters=[strip, lower],
        validators=[
            DataRequired("Enter your email address."),
            Length(
                max=READER_EMAIL_MAX,
                message=f"Use at most {READER_EMAIL_MAX} characters.",
            ),
            # Refuses CR, LF and anything else that is not one plain address.
            Email("Enter a valid email address, like name@example.com."),
        ],
    )


def comment_text_field(label: str = "Comment") -> TextAreaField:
    """A comment's text: required, trimmed, within WordPress's limit."""
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired("Write a comment."),
            Length(
                max=COMMENT_MAX,
                message=f"Keep the comment under {COMMENT_MAX:,} characters.",
            ),
        ],
    )
