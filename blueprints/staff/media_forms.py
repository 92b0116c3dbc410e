"""Forms of the media library: upload, describe, replace, and choosing an image."""

from __future__ import annotations

from flask_wtf.file import FileField
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import AnyOf
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from blueprints.media.library import MAX_ALT
from blueprints.media.library import MAX_CAPTION
from web.text_form import FileForm
from web.text_form import TextForm

MAX_ID = 2**31 - 1


def _text(value: str | None) -> str | None:
    """Trimmed, without NUL characters (no database column holds them)."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class UploadForm(FileForm):
    file = MultipleFileField("Choose image files")
    alt = StringField("Alt text", validators=[Length(max=MAX_ALT)], filters=[_text])
    # From a picker (image_targets): the upload becomes the cover, social
    # image or avatar there. Hidden inputs the template writes from the target.
    use = StringField(validators=[Optional(), AnyOf(["cover", "social", "avatar"])])
    article_id = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])
    user_id = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])


class ReplaceForm(FileForm):
    file = FileField("New file")


class DescribeForm(TextForm):
    alt = TextAreaField("Alt text", validators=[Length(max=MAX_ALT)], filters=[_text])
    caption = TextAreaField(
        "Caption", validators=[Length(max=MAX_CAPTION)], filters=[_text]
    )


class ImageChoiceForm(TextForm):
    """An image chosen for a cover, social image or avatar, or Remove."""

    media_id = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])
    remove = BooleanField()
    # What to say when neither came: the view sets its target's sentence.
    missing = "Choose an image."

    def validate(self, extra_validators=None) -> bool:
        """Valid fields, and an image to use unless the image is being removed."""
        if not super().validate(extra_validators):
            return False
        if self.media_id.data is None and not self.remove.data:
            self.media_id.errors.append(self.missing)
            return False
        return True
