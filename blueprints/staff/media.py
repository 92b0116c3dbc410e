"""The media library: the grid of images, uploads, an image's page.

The picker and choosing an image for a cover, social image or avatar are in
media_picker.py.
"""

from __future__ import annotations

import re

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.media.images import ACCEPT_ATTRIBUTE
from blueprints.media.images import UploadProblem
from blueprints.media.library import articles_using
from blueprints.media.library import delete
from blueprints.media.library import describe
from blueprints.media.library import inspect_file
from blueprints.media.library import replace_file
from blueprints.media.library import uses
from blueprints.media.pictures import MEDIA_PATH
from blueprints.media.pictures import Picture
from blueprints.media.processing import resume_stale
from blueprints.staff.access import ARTICLES
from blueprints.staff.access import role_required
from blueprints.staff.editor_images import editor_row
from blueprints.staff.editor_images import row_refused
from blueprints.staff.editor_images import row_uploaded
from blueprints.staff.forms import ActionForm
from blueprints.staff.image_targets import ImageTarget
from blueprints.staff.image_targets import choose
from blueprints.staff.image_targets import target_from
from blueprints.staff.media_forms import DescribeForm
from blueprints.staff.media_forms import ReplaceForm
from blueprints.staff.media_forms import UploadForm
from blueprints.staff.media_search import SIZES
from blueprints.staff.media_search import MediaFilter
from blueprints.staff.media_search import article_choices
from blueprints.staff.media_search import month_choices
from blueprints.staff.media_uploads import add_all
from blueprints.staff.media_uploads import body_limit
from blueprints.staff.media_uploads import inspect_all
from blueprints.staff.media_uploads import limit_text
from blueprints.staff.media_uploads import shown_name
from blueprints.staff.media_uploads import summary
from blueprints.staff.media_uploads import too_large
from blueprints.staff.paging import page_arg
from blueprints.staff.views import bp
from models import Media
from models import db
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment
from web.large_body import large_body
from web.large_body import read_large_body

PER_PAGE = 36
# A card waiting for its sizes asks again every 2 s, for about a minute.
POLL_TRIES = 30
LIBRARY = "staff/media.html"
UPLOAD_FORM = "staff/_media_upload_form.html"
UPLOADED = "staff/_media_uploaded.html"
CARD = "staff/_media_card.html"
DETAIL = "staff/media_detail.html"
DESCRIBE = "staff/_media_describe_form.html"
REPLACE = "staff/_media_replace_form.html"
FORMAT_NAMES = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP"}


@bp.app_template_filter("image_markdown")
def image_markdown(media: Media) -> str:
    """The Markdown that shows a library image: ![alt](/media/42)."""
    alt = re.sub(r"([\\\[\]])", r"\\\1", " ".join(media.alt.split()))
    return f"![{alt}]({MEDIA_PATH}{media.id})"


@bp.app_template_global()
def upload_limits() -> dict[str, str]:
    """What the upload forms say they accept: the accept attribute and the size cap."""
    return {"accept": ACCEPT_ATTRIBUTE, "size": limit_text()}


@bp.app_template_filter("format_name")
def format_name(fmt: str) -> str:
    """An image format as people write it (webp: WebP)."""
    return FORMAT_NAMES.get(fmt, fmt.upper())


def _library(
    form: UploadForm, status: int = 200, target: ImageTarget | None = None
) -> Response:
    """The library page (htmx: the results alone), with the upload form."""
    chosen = MediaFilter.from_args(request.args)
    page = db.paginate(
        chosen.query(),
        page=page_arg(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    context = {}
    if not wants_fragment():
        context = {
            "form": form,
            "target": target,
            "articles": article_choices(),
            "months": month_choices(),
            "sizes": SIZES,
        }
    return render(
        LIBRARY, "staff/_media_grid.html", status, page=page, chosen=chosen, **context
    )


@bp.get("/media")
@role_required(ARTICLES)
def media():
    """The library: every image, searched and filtered, and the upload form."""
    resume_stale()
    return _library(UploadForm(formdata=None))


def _upload_refused(
    form: UploadForm,
    problems: list[str],
    status: int,
    target: ImageTarget | None = None,
) -> Response:
    """The upload form again with what was wrong; nothing was stored."""
    form.file.errors = [*form.file.errors, *problems]
    if not wants_fragment():
        return _library(form, status, target)
    response = render(UPLOAD_FORM, UPLOAD_FORM, status, form=form, target=target)
    # The form asked to add cards to the grid; the answer replaces the form.
    response.headers["HX-Retarget"] = "#media-upload"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def _uploaded(added: list, target: ImageTarget | None) -> Response:
    """The new cards for htmx; otherwise a redirect to where the upload leads."""
    message = summary(added)
    items = list({item.media.id: item.media for item in added}.values())
    if wants_fragment():
        return render(UPLOADED, UPLOADED, items=items, message=message)
    flash(message, "success")
    if target is not None:
        return see_other(target.back_url)
    if len(items) == 1:
        return see_other(url_for("staff.media_detail", media_id=items[0].id))
    return see_other(url_for("staff.media"))


@bp.post("/media")
@role_required(ARTICLES)
@large_body
def media_upload():
    """Add one or several images (htmx: their cards); one refused file stores none."""
    row = editor_row()
    if not read_large_body(body_limit()):
        return _refused(row, UploadForm(formdata=None), [too_large()], 413)
    form = UploadForm()
    if not form.validate():
        return _refused(row, form, [], 422)
    target = target_from(request.form)
    images, problems = inspect_all(form.file.data or [])
    if problems:
        return _refused(row, form, problems, 422, target)
    added = add_all(images, current_user.id, form.alt.data or "")
    if target is not None:
        target = choose(target, added[0].media.id)
    if row:
        return row_uploaded(row, added[0])
    return _uploaded(added, target)


def _refused(
    row: str | None,
    form: UploadForm,
    problems: list[str],
    status: int,
    target: ImageTarget | None = None,
) -> Response:
    """A refused upload: the editor's row, or the library's form, saying why."""
    if row:
        errors = [e for field in form.errors.values() for e in field]
        names = [f.filename for f in form.file.data or () if f and f.filename]
        name = shown_name(names[0]) if names else ""
        return row_refused(row, problems or errors, status, name)
    return _upload_refused(form, problems, status, target)


@bp.get("/media/<int:media_id>/card")
@role_required(ARTICLES)
def media_card(media_id: int):
    """One library card, asked for again while its image is being prepared (htmx)."""
    if not wants_fragment():
        return redirect(url_for("staff.media_detail", media_id=media_id))
    media = db.get_or_404(Media, media_id)
    tries = min(request.args.get("tries", 0, type=int), POLL_TRIES)
    return render(CARD, CARD, media=media, tries=tries + 1, poll_tries=POLL_TRIES)


def _detail(media: Media, status: int = 200, **forms) -> Response:
    """An image's page (htmx: the page's content, the same)."""
    forms.setdefault("describe_form", _describe_form(media))
    forms.setdefault("replace_form", ReplaceForm(formdata=None))
    return render(
        DETAIL,
        "staff/_media_detail.html",
        status,
        media=media,
        stored=Picture.of(media),
        using=uses(media.id),
        **forms,
    )


def _describe_form(media: Media) -> DescribeForm:
    return DescribeForm(formdata=None, alt=media.alt, caption=media.caption)


@bp.get("/media/<int:media_id>")
@role_required(ARTICLES)
def media_detail(media_id: int):
    """One image: its sizes, where it is used, its alt text and caption, its file."""
    return _detail(db.get_or_404(Media, media_id))


@bp.post("/media/<int:media_id>")
@role_required(ARTICLES)
def media_update(media_id: int):
    """Save an image's alt text and caption; the articles showing it follow."""
    media = db.get_or_404(Media, media_id)
    form = DescribeForm()
    if not form.validate():
        if not wants_fragment():
            return _detail(media, 422, describe_form=form)
        return render(DESCRIBE, DESCRIBE, 422, media=media, describe_form=form)
    # The editor's upload row sends the alt text alone: the caption stays.
    caption = (form.caption.data or "") if "caption" in request.form else None
    describe(media, form.alt.data or "", caption)
    if not wants_fragment():
        flash("Saved the alt text and caption.", "success")
        return see_other(url_for("staff.media_detail", media_id=media_id))
    media = db.session.get(Media, media_id)
    return render(
        DESCRIBE,
        DESCRIBE,
        media=media,
        describe_form=_describe_form(media),
        saved=True,
        updated=len(articles_using(media_id)),
    )


def _replace_refused(media: Media, form: ReplaceForm, problem: str, status: int):
    """The replace form again with what was wrong; the image is unchanged."""
    form.file.errors = [*form.file.errors, problem]
    if not wants_fragment():
        return _detail(media, status, replace_form=form)
    response = render(REPLACE, REPLACE, status, media=media, replace_form=form)
    response.headers["HX-Retarget"] = "#media-replace"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.post("/media/<int:media_id>/replace")
@role_required(ARTICLES)
@large_body
def media_replace(media_id: int):
    """Give an image a new file, keeping its id, words and the places it is used."""
    media = db.get_or_404(Media, media_id)
    if not read_large_body(body_limit()):
        return _replace_refused(media, ReplaceForm(formdata=None), too_large(), 413)
    form = ReplaceForm()
    try:
        replace_file(media, inspect_file(form.file.data))
    except UploadProblem as problem:
        return _replace_refused(media, form, str(problem), 422)
    message = f"Replaced the file of “{media.filename}”."
    if not wants_fragment():
        flash(message, "success")
        return see_other(url_for("staff.media_detail", media_id=media_id))
    return _detail(db.session.get(Media, media_id), notice=message)


@bp.get("/media/<int:media_id>/delete")
@role_required(ARTICLES)
def media_delete_confirm(media_id: int):
    """Ask before deleting an image; an image in use says where, and cannot be."""
    media = db.get_or_404(Media, media_id)
    return render_template(
        "staff/media_delete.html",
        media=media,
        using=uses(media.id),
        form=ActionForm(),
    )


@bp.post("/media/<int:media_id>/delete")
@role_required(ARTICLES)
def media_delete(media_id: int):
    """Delete an unused image and its files (409 while an article or avatar uses it)."""
    media = db.get_or_404(Media, media_id)
    name = media.filename
    using = delete(media)
    if using:
        page = render_template(
            "staff/media_delete.html", media=media, using=using, form=ActionForm()
        )
        return page, 409
    flash(f"Deleted “{name}”.", "success")
    return see_other(url_for("staff.media"))
