"""The settings' images (logo, favicon, default social image), chosen from the media library.

Each has a page with the cover picker's grid (templates/staff/_media_picker.html,
given what choosing does); choosing or removing stores that one setting, audited,
in one write that also checks the image still exists (the library's delete
checks the settings under the same lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask import flash
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from blueprints.staff.access import SETTINGS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.media import picker_page
from blueprints.staff.media_forms import MAX_ID
from blueprints.staff.views import bp
from models import AuditAction
from models import Media
from models import MediaStatus
from models import db
from storage.transactions import write_transaction
from web.editable_settings import MEDIA_SETTINGS
from web.editable_settings import Editable
from web.htmx import render
from web.htmx import see_other
from web.site_settings import save
from web.site_settings import site_settings
from web.text_form import TextForm

# The setting's name in URLs: /staff/settings/images?setting=logo
SLUGS = {"logo": "LOGO_MEDIA_ID", "favicon": "FAVICON_MEDIA_ID"}
SLUGS["social-image"] = "SOCIAL_IMAGE_MEDIA_ID"
BY_SLUG = {
    slug: next(e for e in MEDIA_SETTINGS if e.key == key) for slug, key in SLUGS.items()
}
LOCKED = "{env} sets this image; it cannot be changed here."
GONE = "That image is no longer in the library (or could not be prepared)."


class ImageSettingForm(TextForm):
    setting = HiddenField()
    media_id = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])
    remove = BooleanField()


def slug_of(editable: Editable) -> str:
    """The URL name of an image setting."""
    return next(slug for slug, e in BY_SLUG.items() if e is editable)


def _editable(slug: str | None) -> Editable:
    """The image setting a request names (404 for any other name)."""
    if slug not in BY_SLUG:
        abort(404)
    return BY_SLUG[slug]


def _page(editable: Editable, status: int = 200, problem: str = ""):
    """The picker page of one image setting (htmx: the picker alone)."""
    chosen, page = picker_page()
    slug = slug_of(editable)
    pick = {
        "endpoint": "staff.settings_images",
        "args": {"setting": slug},
        "action": url_for("staff.settings_image_post"),
        "fields": {"setting": slug},
        "current": site_settings().value(editable.key),
        "use": f"Use as {editable.label.lower()}",
        "in_use": f"Current {editable.label.lower()}",
        "target": None,
    }
    return render(
        "staff/settings_images.html",
        "staff/_media_picker.html",
        status,
        editable=editable,
        locked=editable.key in site_settings().locked,
        pick=pick,
        page=page,
        chosen=chosen,
        problem=problem,
    )


@bp.get("/settings/images")
@role_required(SETTINGS)
def settings_images():
    """Choose one of the settings' images from the library."""
    return _page(_editable(request.args.get("setting")))


@bp.post("/settings/images")
@role_required(SETTINGS)
def settings_image_post():
    """Set or remove one of the settings' images."""
    form = ImageSettingForm()
    editable = _editable(form.setting.data)
    if not form.validate() or not (form.remove.data or form.media_id.data):
        return _page(editable, 422, "Choose an image from the library.")
    if editable.key in site_settings().locked:
        return _page(editable, 409, LOCKED.format(env=editable.env))
    media_id = 0 if form.remove.data else form.media_id.data
    with write_transaction() as transaction:
        media = db.session.get(Media, media_id) if media_id else None
        if media_id and (media is None or media.status == MediaStatus.FAILED):
            transaction.rollback()
            return _page(editable, 422, GONE)
        before = site_settings().value(editable.key)
        save({editable.key: media_id}, current_user.id)
        record(AuditAction.SETTINGS_CHANGED, detail=_detail(editable, before, media))
    site_settings().reload()
    flash(f"{editable.label} {'removed' if media is None else 'set'}.", "success")
    return see_other(url_for("staff.settings") + "#images")


@dataclass(frozen=True)
class ImageRow:
    editable: Editable
    slug: str
    media: Media | None
    locked: bool


def image_rows() -> list[ImageRow]:
    """The settings page's image rows, their Media in one query (full page only)."""
    store = site_settings()
    ids = {store.value(e.key) for e in MEDIA_SETTINGS} - {0}
    found = db.session.scalars(select(Media).where(Media.id.in_(ids))) if ids else []
    media = {row.id: row for row in found}
    return [
        ImageRow(e, slug_of(e), media.get(store.value(e.key)), e.key in store.locked)
        for e in MEDIA_SETTINGS
    ]


def _detail(editable: Editable, before: int, media: Media | None) -> str:
    """The audit line: "logo: #3 → #12 photo.jpg"."""
    was = f"#{before}" if before else "none"
    now = f"#{media.id} {media.filename}" if media is not None else "none"
    return f"{editable.label.lower()}: {was} → {now}"
