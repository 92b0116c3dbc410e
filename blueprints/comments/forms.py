"""The comment form: WordPress's fields and limits, plus the shared spam guard."""

from __future__ import annotations

from flask import current_app
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import StringField
from wtforms import URLField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from web.form_fields import comment_text_field
from web.form_fields import reader_email_field
from web.form_filters import strip
from web.form_guard import SpamGuardForm
from web.form_validators import WebAddress

# WordPress's limits (wp_get_comment_fields_max_lengths).
MAX_NAME = 245
MAX_URL = 200


class CommentForm(SpamGuardForm):
    """A reader's comment (or reply, with parent_id set)."""

    comment = comment_text_field()
    author = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter your name."),
            Length(max=MAX_NAME, message=f"Use at most {MAX_NAME} characters."),
        ],
    )
    email = reader_email_field()
    url = URLField(
        "Website",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=MAX_URL, message=f"Use at most {MAX_URL} characters."),
            # Only http and https links to a host: no javascript:, data: or mailto:.
            WebAddress(),
        ],
    )
    remember = BooleanField(
        "Save my name, email, and website in this browser for the next time I comment."
    )
    # Unticked by default (and in the cached blank form): consent is asked for.
    notify_replies = BooleanField("Email me when someone replies")
    notify_article = BooleanField("Email me about new comments on this article")
    parent_id = HiddenField()

    def validate_comment(self, field) -> None:
        """Refuse comments shorter than the configured minimum."""
        minimum = int(current_app.config["COMMENTS_MIN_LENGTH"])
        if len(field.data or "") < minimum:
            raise ValidationError(
                f"Write at least {minimum} characters."
                if minimum > 1
                else "Write a comment."
            )

    def parent_comment_id(self) -> int | None:
        """The comment this replies to, if the hidden field holds a valid id."""
        raw = (self.parent_id.data or "").strip()
        # isdigit() alone accepts "²" and "①", which int() refuses.
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
