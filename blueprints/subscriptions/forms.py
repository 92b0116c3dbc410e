"""The subscription forms: follow an article, confirm an address, unsubscribe."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms import StringField

from web.form_fields import reader_email_field
from web.text_form import TextForm


class FollowForm(TextForm):
    """The address to mail about an article's new comments."""

    email = reader_email_field()


class ConfirmForm(TextForm):
    """The "Confirm" button (the token in the URL names the address) and the
    moment the page listing the wishes was shown: it confirms what it listed."""

    shown = HiddenField()

    def shown_stamp(self) -> int | None:
        """The listing's moment as stamped microseconds, if the field holds one."""
        raw = (self.shown.data or "").strip()
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 20 else None


class UnsubscribeForm(TextForm):
    """Which button was pressed; a mail provider's one-click POST sends neither.

    No CSRF token: the view is exempt (views.unsubscribe says why).
    """

    class Meta:
        csrf = False

    scope = StringField()
    # RFC 8058's body: List-Unsubscribe=One-Click.
    one_click = StringField(name="List-Unsubscribe")
