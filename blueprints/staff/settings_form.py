"""The settings form, built from web/editable_settings.EDITABLE: one field per setting.

Images are chosen with the library's picker (blueprints/staff/image_targets.py).
A locked setting (set by its FOLIO_* variable) has no field: the page shows its
value read-only, and a post that names it anyway is refused.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField
from wtforms import Field
from wtforms import IntegerField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import ValidationError

from web.colours import normalise
from web.editable_settings import EDITABLE
from web.editable_settings import Editable
from web.editable_settings import Kind
from web.editable_settings import choices
from web.editable_settings import problem
from web.text_form import TextForm

LISTS = (Kind.EMAILS, Kind.WORDS)


def field_name(editable: Editable) -> str:
    """The form field's name: the key in lower case (site_title)."""
    return editable.key.lower()


def as_value(editable: Editable, data: Any) -> Any:
    """A field's data as the setting's value (what is stored, as JSON)."""
    if editable.kind in LISTS:
        items = (data or "").replace(",", "\n").splitlines()
        return [item.strip() for item in items if item.strip()]
    if editable.kind is Kind.COLOUR:
        return normalise(data or "")
    if editable.kind in (Kind.TEXT, Kind.LONG_TEXT):
        return (data or "").strip()
    return data


def as_data(editable: Editable, value: Any) -> Any:
    """A setting's value as its field shows it."""
    if editable.kind in LISTS:
        return "\n".join(value)
    return value


class _Checked:
    """The setting's own check (colour contrast, time zone, addresses) on the value."""

    def __init__(self, editable: Editable) -> None:
        self.editable = editable

    def __call__(self, form: TextForm, field: Field) -> None:
        reason = problem(self.editable, as_value(self.editable, field.data))
        if reason is not None:
            raise ValidationError(reason)


def _length(editable: Editable) -> Length:
    return Length(
        max=editable.maximum, message=f"At most {editable.maximum} characters."
    )


def _field(editable: Editable) -> Field:
    """The WTForms field of one setting."""
    label, kind, hint = editable.label, editable.kind, editable.hint
    checked = _Checked(editable)
    if kind is Kind.BOOL:
        return BooleanField(label, description=hint)
    if kind is Kind.INT:
        low, high = editable.minimum, editable.maximum
        return IntegerField(
            label,
            [
                InputRequired("Enter a whole number."),
                NumberRange(low, high, f"Enter a number from {low} to {high}."),
            ],
            description=hint,
        )
    if kind is Kind.CHOICE:
        return SelectField(
            label,
            [checked],
            choices=[SelectChoice(v, shown) for v, shown in choices(editable).items()],
            description=hint,
        )
    if kind in (Kind.LONG_TEXT, *LISTS):
        return TextAreaField(label, [_length(editable), checked], description=hint)
    required = [DataRequired("Enter a value.")] if editable.required else []
    length = [_length(editable)] if editable.maximum else []
    return StringField(label, [*required, *length, checked], description=hint)


class SettingsForm(TextForm):
    """Every editable setting; fields of locked ones are removed per request."""


FORM_SETTINGS = tuple(e for e in EDITABLE if e.kind is not Kind.MEDIA)
for _editable in FORM_SETTINGS:
    setattr(SettingsForm, field_name(_editable), _field(_editable))


def settings_form(values: dict[str, Any], locked: frozenset[str]) -> SettingsForm:
    """The form with the current values, without the locked settings' fields."""
    data = {
        field_name(e): as_data(e, values[e.key])
        for e in FORM_SETTINGS
        if e.key not in locked
    }
    form = SettingsForm(data=data)
    for editable in FORM_SETTINGS:
        if editable.key in locked:
            del form[field_name(editable)]
    return form


def changed_values(form: SettingsForm, values: dict[str, Any]) -> dict[str, Any]:
    """The settings whose submitted value differs from the current one."""
    changes = {}
    for editable in FORM_SETTINGS:
        name = field_name(editable)
        if name not in form:
            continue
        value = as_value(editable, form[name].data)
        if value != values[editable.key]:
            changes[editable.key] = value
    return changes
