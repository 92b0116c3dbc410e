"""The subscription forms: follow an article, confirm an address, unsubscribe."""

from __future__ import annotations

from wtforms import StringField

from web.form_fields import reader_email_field
from web.text_form import TextForm


class FollowForm(TextForm):
    """The address to mail about an article's new comments."""

    email = reader_email_field()


class ConfirmForm(TextForm):
    """The "Confirm" button: CSRF only (the token in the URL names the address)."""


class UnsubscribeForm(TextForm):
    """Which button was pressed; a mail provider's one-click POST sends neither.

    No CSRF token: the view is exempt (views.unsubscribe says why).
    """

    class Meta:
        csrf = False

    scope = StringField()
    # RFC 8058's body: List-Unsubscribe=One-Click.
    one_click = StringField(name="List-Unsubscribe")
