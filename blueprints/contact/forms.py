"""The contact form: one set of rules for the full submit and the per-field checks."""

from __future__ import annotations

import unicodedata

from flask import current_app
from wtforms import EmailField
from wtforms import Field
from wtforms import Form
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from mail.smtp import ENCODED_WORD
from web.form_filters import strip
from web.form_guard import SpamGuardForm

NAME_MAX = 100
EMAIL_MAX = 254
SUBJECT_MAX = 200
MESSAGE_MAX = 10_000

# The fields a reader fills in, in page order; the per-field endpoint checks these.
FIELDS = ("name", "email", "subject", "message")


def _bad_character(text: str, allow: str = "") -> str | None:
    """The first control or line-separator character in text, or None."""
    for char in text:
        if char in allow:
            continue
        if unicodedata.category(char) in {"Cc", "Zl", "Zp"}:
            return char
    return None


class SingleLine:
    """Reject CR, LF and other control characters (they would break a mail header).

    It stops the field's other checks: one clear message, not a pile of them.
    """

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and _bad_character(field.data):
            raise StopValidation(self.message)


class NoEncodedWords:
    """Reject RFC 2047 encoded-word syntax (=?charset?q?...?=) in a mail header field.

    People do not type it; sent on, some mail libraries decode it into headers
    of their own (mail/smtp.py defuses it too).
    """

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and ENCODED_WORD.search(field.data):
            raise StopValidation(self.message)


class ContactForm(SpamGuardForm):
    """What a reader sends through the "Contact us" page."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter your name."),
            SingleLine("Your name must be on one line, without control characters."),
            NoEncodedWords("Your name cannot contain “=?…?=”: remove it."),
            Length(
                max=NAME_MAX,
                message=f"Your name can be at most {NAME_MAX} characters long.",
            ),
        ],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address, so we can reply."),
            SingleLine("Enter an email address like name@example.com."),
            Length(
                max=EMAIL_MAX,
                message=f"An email address has at most {EMAIL_MAX} characters.",
            ),
            Email("Enter an email address like name@example.com."),
        ],
    )
    subject = StringField(
        "Subject",
        filters=[strip],
        validators=[
            SingleLine("The subject must be on one line, without control characters."),
            NoEncodedWords("The subject cannot contain “=?…?=”: remove it."),
            Length(
                max=SUBJECT_MAX,
                message=f"The subject can be at most {SUBJECT_MAX} characters long.",
            ),
        ],
    )
    message = TextAreaField(
        "Message",
        filters=[strip],
        validators=[
            DataRequired("Write your message."),
            Length(
                max=MESSAGE_MAX,
                message=f"Your message can be at most {MESSAGE_MAX:,} characters long.",
            ),
        ],
    )

    def validate_message(self, field: Field) -> None:
        """Refuse control characters (line breaks and tabs are fine) and short notes."""
        text = field.data or ""
        if _bad_character(text, allow="\t\n\r"):
            raise ValidationError("Your message contains control characters.")
        minimum = current_app.config["CONTACT_MIN_MESSAGE_LENGTH"]
        if len(text) < minimum:
            raise ValidationError(
                f"Write at least {minimum} characters, so we can help."
            )

    def validate_one(self, name: str) -> bool:
        """Run one field's validators (inline ones too), as validate() would."""
        field = self[name]
        inline = getattr(self.__class__, f"validate_{name}", None)
        extra = [inline] if inline is not None else []
        return field.validate(self, extra)
