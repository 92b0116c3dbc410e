"""Forms of the staff area."""

from __future__ import annotations

import re

from flask_login import current_user
from wtforms import BooleanField
from wtforms import DateTimeLocalField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from blueprints.articles.publishing import reserved_slugs
from blueprints.staff.passwords import MIN_PASSWORD_LENGTH
from blueprints.staff.passwords import StrongPassword
from blueprints.staff.passwords import account_words
from blueprints.staff.seo_forms import SeoFields
from models import ArticleStatus
from models import Role
from web.form_fields import comment_text_field
from web.text_form import TextForm

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, "Admin"),
    SelectChoice(Role.EDITOR.value, "Editor"),
    SelectChoice(Role.MODERATOR.value, "Moderator"),
]
PASSWORD_LENGTH = f"Use at least {MIN_PASSWORD_LENGTH} characters (at most 1024)."
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class ActionForm(TextForm):
    """A CSRF-only form for buttons that change something."""


class LoginForm(TextForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class PasswordChangeForm(TextForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH),
            StrongPassword(
                lambda form: account_words(
                    current_user.email, current_user.display_name
                )
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(),
            EqualTo("new_password", message="The two new passwords differ."),
        ],
    )


class UserCreateForm(TextForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=100)]
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.EDITOR.value)
    password = PasswordField(
        "Initial password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH),
            StrongPassword(
                lambda form: account_words(form.email.data, form.display_name.data)
            ),
        ],
    )


class RoleForm(TextForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ArticleForm(SeoFields, TextForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Slug",
        validators=[
            Optional(),
            Length(max=180),
            Regexp(
                SLUG_PATTERN,
                message="Use lower-case letters, digits and single hyphens.",
            ),
        ],
        filters=[lambda value: value.strip().lower() if value else value],
    )
    summary = TextAreaField("Summary", validators=[Length(max=500)])
    tags = StringField("Tags", validators=[Length(max=500)])
    body = TextAreaField("Body (Markdown)", validators=[Length(max=200_000)])
    status = SelectField(
        "Status",
        choices=[
            SelectChoice(ArticleStatus.DRAFT.value, "Draft"),
            SelectChoice(ArticleStatus.PUBLISHED.value, "Published"),
        ],
        default=ArticleStatus.DRAFT.value,
    )
    published_at = DateTimeLocalField(
        "Publication time (UTC)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    comments_open = BooleanField("Comments open", default=True)
    featured = BooleanField("Featured (shown first on the home page)", default=False)

    def tag_names(self) -> list[str]:
        """The comma-separated tags as a list of names."""
        return [name for name in (self.tags.data or "").split(",") if name.strip()]

    def validate_tags(self, field) -> None:
        """Keep tag names to a sane length."""
        if any(len(name.strip()) > 64 for name in self.tag_names()):
            raise ValidationError("Each tag must be 64 characters or fewer.")


class PageForm(ArticleForm):
    """The editor's form for a page: no summary, tags or publication time;
    comments only when allowed; an address no route of the site uses."""

    summary = None
    tags = None
    published_at = None
    featured = None
    comments_open = BooleanField("Allow comments", default=False)

    def validate_slug(self, field) -> None:
        """A page lives at /<slug>: it may not take an address the site uses."""
        if field.data and field.data in reserved_slugs():
            raise ValidationError(
                f"The site uses /{field.data} already (or will); choose another slug."
            )


class ReplyForm(TextForm):
    body = TextAreaField("Your reply", validators=[DataRequired(), Length(max=10_000)])


class CommentEditForm(TextForm):
    """A comment's text as a moderator corrects it."""

    body = comment_text_field("Comment text")


def clean_search(value: str | None) -> str:
    """A search string trimmed to something reasonable."""
    return re.sub(r"\s+", " ", value or "").strip()[:100]


class PasswordForgotForm(TextForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class PasswordResetForm(TextForm):
    """The new password a mailed link sets; the view names the account (account_words)."""

    account_words: list[str] = []

    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH),
            StrongPassword(lambda form: form.account_words),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(),
            EqualTo("new_password", message="The two new passwords differ."),
        ],
    )
