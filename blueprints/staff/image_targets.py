"""What a library image is chosen for: an article's cover or social image, an avatar.

The picker (staff.media_picker), an upload's "upload and use" and the choose
endpoints all work from an ImageTarget, so each use has one set of rules:
who may choose, how the choice is stored, where the person goes back to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import abort
from flask import url_for
from flask_login import current_user

from blueprints.articles.publishing import set_cover
from blueprints.articles.publishing import set_social_image
from blueprints.staff.editor_urls import editor_url
from blueprints.staff.media_forms import MAX_ID
from models import Article
from models import Media
from models import MediaStatus
from models import Role
from models import User
from models import db
from storage.transactions import write_transaction


@dataclass(frozen=True)
class Kind:
    """A use of an image, and what the staff pages say about it."""

    name: str
    label: str
    verb: str
    empty: str
    missing: str
    heading: str
    removed: str


COVER = Kind(
    "cover",
    "Cover image",
    "Use as cover",
    "No cover image: cards show a colour block with the title’s first letter.",
    "Choose an image for the cover.",
    "Choose a cover",
    "Cover removed.",
)
SOCIAL = Kind(
    "social",
    "Social image",
    "Use for link previews",
    "No social image: link previews show the cover.",
    "Choose an image for link previews.",
    "Choose a social image",
    "Social image removed.",
)
AVATAR = Kind(
    "avatar",
    "Avatar",
    "Use as avatar",
    "No avatar: bylines show the initials of the name.",
    "Choose an image for the avatar.",
    "Choose an avatar",
    "Avatar removed.",
)
KINDS = {kind.name: kind for kind in (COVER, SOCIAL, AVATAR)}


@dataclass(frozen=True)
class ImageTarget:
    """One place an image goes: a kind and its article or account."""

    kind: Kind
    owner: Article | User

    @property
    def current(self) -> Media | None:
        """The image there now."""
        return getattr(self.owner, _ATTRIBUTE[self.kind.name])

    @property
    def title(self) -> str:
        """Whose image it is, as the picker's heading names it."""
        owner = self.owner
        return owner.title if isinstance(owner, Article) else owner.display_name

    @property
    def args(self) -> dict[str, object]:
        """The query or form values that name this target (the picker's, an upload's)."""
        if self.kind is AVATAR:
            return {"use": "avatar", "user_id": self.owner.id}
        return {"use": self.kind.name, "article_id": self.owner.id}

    @property
    def choose_url(self) -> str:
        """Where a choice (or Remove) is posted."""
        if self.kind is AVATAR:
            return url_for("staff.user_avatar", user_id=self.owner.id)
        endpoint = (
            "staff.article_cover" if self.kind is COVER else "staff.article_social"
        )
        return url_for(endpoint, article_id=self.owner.id)

    @property
    def picker_url(self) -> str:
        """The picker for this target."""
        return url_for("staff.media_picker", **self.args) + "#media-picker"

    @property
    def back_url(self) -> str:
        """The page the target's field lives on."""
        if self.kind is AVATAR:
            return profile_url(self.owner)
        return editor_url("edit", self.owner.kind, article_id=self.owner.id)

    @property
    def back_label(self) -> str:
        """What back_url is, as its link names it."""
        if self.kind is AVATAR:
            return "the profile"
        return f"the {self.owner.kind.value}"

    @property
    def empty(self) -> str:
        """What the field says with no image; a page has no card, so its cover's
        absence shows nowhere but the page."""
        if self.kind is COVER and self.owner.is_page:
            return "No cover image."
        return self.kind.empty


_ATTRIBUTE = {"cover": "cover", "social": "social_image", "avatar": "avatar"}


def image_target(kind: str, owner: Article | User) -> ImageTarget:
    """The target of an article or account already loaded (templates)."""
    return ImageTarget(KINDS[kind], owner)


def profile_url(user: User) -> str:
    """The profile page of user: their own, or an admin's view of it."""
    if user.id == current_user.id:
        return url_for("staff.profile")
    return url_for("staff.user_profile", user_id=user.id)


def may_edit_profile(user_id: int) -> bool:
    """Staff edit their own profile; admins anyone's."""
    return user_id == current_user.id or current_user.role == Role.ADMIN


def find_target(kind: Kind, owner_id: int | None) -> ImageTarget:
    """The target of kind for the article or account owner_id: 404 missing, 403 not yours."""
    if owner_id is None or not 0 < owner_id <= MAX_ID:
        abort(404)
    if kind is AVATAR:
        if not may_edit_profile(owner_id):
            abort(403)
        return ImageTarget(kind, db.get_or_404(User, owner_id))
    return ImageTarget(kind, db.get_or_404(Article, owner_id))


def target_from(values: Mapping[str, str]) -> ImageTarget | None:
    """The target request values name (use=, article_id= or user_id=), None for none."""
    use = values.get("use") or ""
    if not use:
        return None
    kind = KINDS.get(use)
    if kind is None:
        abort(404)
    owner = "user_id" if kind is AVATAR else "article_id"
    raw = values.get(owner) or ""
    return find_target(kind, int(raw) if raw.isascii() and raw.isdigit() else None)


def choose(target: ImageTarget, media_id: int | None) -> ImageTarget:
    """Put an image there (None: take it away); 404 when either is missing.

    The article's (or the author's articles') updated_at moves, so every
    cached page showing it is made again (models._byline_changed, publishing).
    """
    with write_transaction():
        if media_id is not None:
            media = db.session.get(Media, media_id)
            if media is None or media.status == MediaStatus.FAILED:
                abort(404)
        owner = db.get_or_404(type(target.owner), target.owner.id)
        if target.kind is COVER:
            set_cover(owner, media_id)
        elif target.kind is SOCIAL:
            set_social_image(owner, media_id)
        else:
            owner.avatar_id = media_id
            owner.avatar = db.session.get(Media, media_id) if media_id else None
    return ImageTarget(target.kind, owner)
