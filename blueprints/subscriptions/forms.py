"""The subscription forms: follow an article, confirm an address, unsubscribe."""

from __future__ import annotations

from wtforms import EmailField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

from web.form_filters import lower
from web.form_filters import strip
from web.text_form import TextForm

# As the comment form's email field (WordPress's limit).
MAX_EMAIL = 100


class FollowForm(TextForm):
    """The address to mail about an article's new comments."""

    email = EmailField(
        "Email",
        filters=[strip, lower],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=MAX_EMAIL, message=f"Use at most {MAX_EMAIL} characters."),
            Email("Enter a valid email address, like name@example.com."),
        ],
    )


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
