"""Forms of two-factor sign-in: enrolment, the code at sign-in, turning off, new codes."""

from __future__ import annotations

from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from blueprints.staff.totp import CODE_PATTERN
from blueprints.staff.totp import clean_code
from web.text_form import TextForm

CODE_SHAPE = "Type the 6 digits your authenticator app shows."
CODE_OR_RECOVERY = "Type the code from your app, or one of your recovery codes."


def six_digits(form, field) -> None:
    """A code field holds six digits (spaces allowed between them)."""
    if field.data and not CODE_PATTERN.match(clean_code(field.data)):
        raise ValidationError(CODE_SHAPE)


def _code_field(label: str = "Code from your app", required: bool = True):
    first = DataRequired(message=CODE_SHAPE) if required else Optional()
    return StringField(label, validators=[first, Length(max=20), six_digits])


class EnrolForm(TextForm):
    code = _code_field()


class RenewCodesForm(TextForm):
    code = _code_field()


class CodeOrRecoveryForm(TextForm):
    """A current code, or else a recovery code: one of the two is required."""

    code = _code_field(required=False)
    recovery_code = StringField(
        "Recovery code", validators=[Optional(), Length(max=40)]
    )

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then that one of them is filled."""
        valid = super().validate(extra_validators)
        if valid and not (self.code.data or self.recovery_code.data):
            self.code.errors.append(CODE_OR_RECOVERY)
            return False
        return valid


class SignInCodeForm(CodeOrRecoveryForm):
    remember = BooleanField("Don't ask again on this browser")
    next = HiddenField()


class TurnOffForm(CodeOrRecoveryForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
