"""Site settings in the browser (admins): one form, validated whole, saved in one write."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask import request
from flask import url_for
from flask_login import current_user

from blueprints.staff.access import SETTINGS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.image_targets import KINDS
from blueprints.staff.image_targets import SETTING_KEYS
from blueprints.staff.image_targets import ImageTarget
from blueprints.staff.settings_form import SettingsForm
from blueprints.staff.settings_form import changed_values
from blueprints.staff.settings_form import field_name
from blueprints.staff.settings_form import settings_form
from blueprints.staff.views import bp
from models import AuditAction
from storage.transactions import write_transaction
from web.editable_settings import BY_KEY
from web.editable_settings import EDITABLE
from web.editable_settings import GROUPS
from web.editable_settings import Editable
from web.editable_settings import Kind
from web.editable_settings import time_zones
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment
from web.site_settings import save
from web.site_settings import site_settings

LOCKED_POSTED = "{env} sets this setting; it cannot be changed here."
# Settings whose old and new values the audit line shows (short, not personal).
SHOWN = (Kind.TEXT, Kind.INT, Kind.BOOL, Kind.CHOICE, Kind.COLOUR, Kind.TIME_ZONE)


def current_values() -> dict[str, Any]:
    """Every editable setting's effective value."""
    store = site_settings()
    return {editable.key: store.value(editable.key) for editable in EDITABLE}


def image_rows() -> list[tuple[Editable, ImageTarget | None]]:
    """The site's images for the page: a picker target each (None: locked)."""
    locked = site_settings().locked
    return [
        (BY_KEY[key], None if key in locked else ImageTarget(KINDS[use], None))
        for use, key in SETTING_KEYS.items()
    ]


def _page(form: SettingsForm, status: int = 200, saved: str = ""):
    """The settings page, or its form alone for htmx."""
    return render(
        "staff/settings.html",
        "staff/_settings_form.html",
        status,
        form=form,
        saved=saved,
        groups=GROUPS,
        editable=EDITABLE,
        values=current_values(),
        locked=site_settings().locked,
        field_name=field_name,
        time_zones=time_zones(),
        image_rows=image_rows,
    )


@bp.get("/settings")
@role_required(SETTINGS)
def settings():
    """The settings form with the current values."""
    store = site_settings()
    return _page(settings_form(current_values(), store.locked))


@bp.post("/settings")
@role_required(SETTINGS)
def settings_post():
    """Check every field, then store the changed ones (and their audit line) at once."""
    store = site_settings()
    values = current_values()
    form = settings_form(values, store.locked)
    valid = form.validate_on_submit()
    refused = [
        BY_KEY[key] for key in store.locked if field_name(BY_KEY[key]) in request.form
    ]
    form.form_errors.extend(LOCKED_POSTED.format(env=e.env) for e in refused)
    if not valid or refused:
        return _page(form, 422)
    changes = changed_values(form, values)
    if changes:
        with write_transaction():
            save(changes, current_user.id)
            record(AuditAction.SETTINGS_CHANGED, detail=describe(changes, values))
        store.reload()
    message = "Settings saved." if changes else "Nothing changed."
    if not wants_fragment():
        flash(message, "success")
        return see_other(url_for("staff.settings"))
    return _page(settings_form(current_values(), store.locked), saved=message)


def _shown(value: Any) -> str:
    """A value as the audit line quotes it."""
    if isinstance(value, bool):
        return "on" if value else "off"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def describe(changes: dict[str, Any], before: dict[str, Any]) -> str:
    """The audit line: "site title: 'Folio' → 'Acme notes'; footer text"."""
    parts = []
    for key, value in changes.items():
        editable = BY_KEY[key]
        label = editable.label.lower()
        if editable.kind in SHOWN:
            parts.append(f"{label}: {_shown(before[key])} → {_shown(value)}")
        else:
            parts.append(label)
    return "; ".join(parts)
