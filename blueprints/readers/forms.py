"""The forms of "Your comments": the address to mail a link to, and an edited text."""

from __future__ import annotations

from web.form_fields import comment_text_field
from web.form_fields import reader_email_field
from web.text_form import TextForm


class LinkRequestForm(TextForm):
    """The address a reader wants a "Your comments" link sent to."""

    email = reader_email_field()


class EditForm(TextForm):
    """A comment's new text."""

    body = comment_text_field()


class ConfirmForm(TextForm):
    """A CSRF-only form for buttons that change something."""
