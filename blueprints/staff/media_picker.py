"""Choosing a library image for a cover, a social image or an avatar: the picker.

One picker and one choose view for every use (image_targets.py says what
each is); each use has its own URL, so its role check stays on the route.
"""

from __future__ import annotations

from flask import flash
from flask import request
from werkzeug.wrappers import Response

from blueprints.staff.access import ARTICLES
from blueprints.staff.access import role_required
from blueprints.staff.forms import clean_search
from blueprints.staff.image_targets import AVATAR
from blueprints.staff.image_targets import COVER
from blueprints.staff.image_targets import SOCIAL
from blueprints.staff.image_targets import ImageTarget
from blueprints.staff.image_targets import choose
from blueprints.staff.image_targets import find_target
from blueprints.staff.image_targets import image_target
from blueprints.staff.image_targets import target_from
from blueprints.staff.media_forms import ImageChoiceForm
from blueprints.staff.media_forms import UploadForm
from blueprints.staff.media_search import MediaFilter
from blueprints.staff.paging import page_arg
from blueprints.staff.views import bp
from models import db
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

bp.add_app_template_global(image_target)

PICKER_PER_PAGE = 24
PICKER = "staff/media_picker.html"
IMAGE_FIELD = "staff/_image_field.html"


def _picker(target: ImageTarget, status: int = 200, **extra) -> Response:
    """The picker of a target (htmx: the picker without the page around it)."""
    chosen = MediaFilter(q=clean_search(request.args.get("q")))
    page = db.paginate(
        chosen.query(usable_only=True),
        page=page_arg(request.args),
        per_page=PICKER_PER_PAGE,
        error_out=False,
    )
    return render(
        PICKER,
        "staff/_media_picker.html",
        status,
        target=target,
        page=page,
        chosen=chosen,
        upload_form=UploadForm(formdata=None),
        **extra,
    )


@bp.get("/media/picker")
@role_required(ARTICLES)
def media_picker():
    """A compact grid of images to choose a cover, social image or avatar from."""
    values = {**request.args.to_dict(), "use": request.args.get("use") or "cover"}
    return _picker(target_from(values))


def _choose(target: ImageTarget) -> Response:
    """Set or remove the target's image (htmx: its field, in place)."""
    form = ImageChoiceForm()
    form.missing = target.kind.missing
    if not form.validate():
        problem = " ".join(form.media_id.errors or [target.kind.missing])
        if not wants_fragment():
            return _picker(target, 422, problem=problem)
        return render(IMAGE_FIELD, IMAGE_FIELD, 422, target=target, problem=problem)
    removing = bool(form.remove.data)
    target = choose(target, None if removing else form.media_id.data)
    message = target.kind.removed if removing else f"{target.kind.label} set."
    if not wants_fragment():
        flash(message, "success")
        return see_other(target.back_url)
    return render(IMAGE_FIELD, IMAGE_FIELD, target=target, message=message)


@bp.post("/articles/<int:article_id>/cover")
@role_required(ARTICLES)
def article_cover(article_id: int):
    """Set or remove an article's cover (htmx: the editor's cover field)."""
    return _choose(find_target(COVER, article_id))


@bp.post("/articles/<int:article_id>/social-image")
@role_required(ARTICLES)
def article_social(article_id: int):
    """Set or remove the image an article's link previews show."""
    return _choose(find_target(SOCIAL, article_id))


@bp.post("/users/<int:user_id>/avatar")
@role_required(ARTICLES)
def user_avatar(user_id: int):
    """Set or remove a staff member's avatar (their own; an admin's, anyone's)."""
    return _choose(find_target(AVATAR, user_id))
