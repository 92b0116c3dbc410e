"""Profiles: what readers see of a staff member (name, page address, bio, website).

Everyone edits their own at /staff/profile; admins anyone's from the accounts
page. The avatar is chosen through the picker (media_picker.py).
"""

from __future__ import annotations

from flask import flash
from flask_login import current_user
from sqlalchemy import exists
from sqlalchemy import select

from blueprints.articles.markdown import render_short_text
from blueprints.staff.access import ACCOUNTS
from blueprints.staff.access import ANY_STAFF
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.image_targets import profile_url
from blueprints.staff.profile_forms import ProfileForm
from blueprints.staff.views import bp
from models import Article
from models import AuditAction
from models import User
from models import db
from models import free_author_slug
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

PROFILE = "staff/profile.html"
PROFILE_FORM = "staff/_profile_form.html"
SLUG_TAKEN = "Another author has this address. Choose another."


def _form_for(user: User) -> ProfileForm:
    """The profile form filled from the account."""
    return ProfileForm(
        formdata=None,
        display_name=user.display_name,
        slug=user.slug,
        bio=user.bio,
        website=user.website,
    )


def _page(user: User, form: ProfileForm, status: int = 200, saved: bool = False):
    """The profile page (htmx: the form alone)."""
    context = {
        "user": user,
        "own": user.id == current_user.id,
        "form": form,
        "saved": saved,
        "action": profile_url(user),
    }
    if not wants_fragment():
        context["has_page"] = db.session.scalar(
            select(exists().where(Article.author_id == user.id, Article.listed()))
        )
    return render(PROFILE, PROFILE_FORM, status, **context)


# What the audit line calls each part of a profile.
PROFILE_PARTS = {
    "display_name": "name",
    "slug": "page address",
    "bio": "bio",
    "website": "website",
}


def _apply(form: ProfileForm, user: User, bio_html: str) -> str | None:
    """Copy the form into the account; an error for the address, if any.

    A change is written to the audit log, naming the parts that changed.
    """
    name = form.display_name.data
    wanted = form.slug.data or free_author_slug(db.session.connection(), name, user.id)
    owner = db.session.scalar(select(User.id).where(User.slug == wanted))
    if owner is not None and owner != user.id:
        return SLUG_TAKEN
    new = {
        "display_name": name,
        "slug": wanted,
        "bio": form.bio.data or "",
        "website": form.website.data or "",
    }
    changed = [
        part for key, part in PROFILE_PARTS.items() if getattr(user, key) != new[key]
    ]
    for key, value in new.items():
        setattr(user, key, value)
    user.bio_html = bio_html
    if changed:
        record(AuditAction.PROFILE_CHANGED, target=user, detail=", ".join(changed))
    return None


def _save(user_id: int):
    """Validate and save a profile; nothing is stored when anything is wrong."""
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(db.get_or_404(User, user_id), form, 422)
    # Rendered before the lock: only the address check and the writes need it.
    bio_html = render_short_text(form.bio.data or "")
    with write_transaction() as transaction:
        user = db.get_or_404(User, user_id)
        error = _apply(form, user, bio_html)
        if error:
            transaction.rollback()
            form.slug.errors.append(error)
            return _page(user, form, 422)
    if not wants_fragment():
        flash("Saved the profile.", "success")
        return see_other(profile_url(user))
    return _page(user, _form_for(user), saved=True)


@bp.get("/profile")
@role_required(ANY_STAFF)
def profile():
    """Your profile: the name, page address, bio, website and avatar readers see."""
    user = db.session.get(User, current_user.id)
    return _page(user, _form_for(user))


@bp.post("/profile")
@role_required(ANY_STAFF)
def profile_post():
    """Save your profile."""
    return _save(current_user.id)


@bp.get("/users/<int:user_id>/profile")
@role_required(ACCOUNTS)
def user_profile(user_id: int):
    """Another staff member's profile, for an admin."""
    user = db.get_or_404(User, user_id)
    return _page(user, _form_for(user))


@bp.post("/users/<int:user_id>/profile")
@role_required(ACCOUNTS)
def user_profile_post(user_id: int):
    """Save another staff member's profile (an admin)."""
    return _save(user_id)
