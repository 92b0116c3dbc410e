"""The profile form: the name, page address, bio and website readers see."""

from __future__ import annotations

from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NoneOf
from wtforms.validators import Optional
from wtforms.validators import Regexp

from blueprints.staff.forms import SLUG_PATTERN
from models import AUTHOR_SLUG_LENGTH
from models import RESERVED_AUTHOR_SLUGS
from web.form_filters import lower
from web.form_filters import strip
from web.form_validators import WebAddress
from web.text_form import TextForm

MAX_BIO = 1000
MAX_WEBSITE = 200


class ProfileForm(TextForm):
    display_name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter the name readers see."),
            Length(max=100, message="Use at most 100 characters."),
        ],
    )
    slug = StringField(
        "Page address",
        filters=[strip, lower],
        validators=[
            Optional(),
            Length(
                max=AUTHOR_SLUG_LENGTH,
                message=f"Use at most {AUTHOR_SLUG_LENGTH} characters.",
            ),
            Regexp(
                SLUG_PATTERN,
                message="Use lower-case letters, digits and single hyphens.",
            ),
            NoneOf(
                sorted(RESERVED_AUTHOR_SLUGS),
                message="This address is kept for the site’s own pages. Choose another.",
            ),
        ],
    )
    bio = TextAreaField(
        "Bio",
        filters=[strip],
        validators=[
            Length(max=MAX_BIO, message=f"Keep the bio under {MAX_BIO:,} characters.")
        ],
    )
    website = URLField(
        "Website",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=MAX_WEBSITE, message=f"Use at most {MAX_WEBSITE} characters."),
            WebAddress(),
        ],
    )
