"""What a library image is chosen for: an article's cover or social image, an avatar,
or one of the site's own (the logo, the favicon, the default social image: settings).

The picker (staff.media_picker), an upload's "upload and use" and the choose
endpoints all work from an ImageTarget, so each use has one set of rules:
who may choose, how the choice is stored, where the person goes back to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import abort
from flask import current_app
from flask import url_for
from flask_login import current_user

from blueprints.articles.publishing import set_cover
from blueprints.articles.publishing import set_social_image
from blueprints.staff.audit import record
from blueprints.staff.editor_urls import editor_url
from models import MAX_ID
from models import Article
from models import AuditAction
from models import Media
from models import MediaStatus
from models import Role
from models import User
from models import db
from storage.transactions import write_transaction
from web.site_settings import save
from web.site_settings import site_settings


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
LOGO = Kind(
    "logo",
    "Logo",
    "Use as logo",
    "No logo: the header shows Folio's mark beside the title.",
    "Choose an image for the logo.",
    "Choose a logo",
    "Logo removed.",
)
FAVICON = Kind(
    "favicon",
    "Favicon",
    "Use as favicon",
    "No favicon: browsers show Folio's icon.",
    "Choose an image for the favicon.",
    "Choose a favicon",
    "Favicon removed.",
)
SITE_SOCIAL = Kind(
    "site-social",
    "Default social image",
    "Use as default social image",
    "No default social image: link previews of pages without one show no picture.",
    "Choose an image for link previews.",
    "Choose a default social image",
    "Default social image removed.",
)
KINDS = {
    kind.name: kind for kind in (COVER, SOCIAL, AVATAR, LOGO, FAVICON, SITE_SOCIAL)
}
# The site's images are settings (web/site_settings.py), owned by no article or
# account, chosen by admins only.
SETTING_KEYS = {
    "logo": "LOGO_MEDIA_ID",
    "favicon": "FAVICON_MEDIA_ID",
    "site-social": "SOCIAL_IMAGE_MEDIA_ID",
}


@dataclass(frozen=True)
class ImageTarget:
    """One place an image goes: a kind and its article or account."""

    kind: Kind
    owner: Article | User | None  # None: the site's (a setting)

    @property
    def setting(self) -> str | None:
        """The setting's key for the site's images (LOGO_MEDIA_ID), else None."""
        return SETTING_KEYS.get(self.kind.name)

    @property
    def current(self) -> Media | None:
        """The image there now."""
        if self.setting:
            media_id = site_settings().value(self.setting)
            return db.session.get(Media, media_id) if media_id else None
        return getattr(self.owner, _ATTRIBUTE[self.kind.name])

    @property
    def title(self) -> str:
        """Whose image it is, as the picker's heading names it."""
        owner = self.owner
        if owner is None:
            return current_app.config["SITE_TITLE"]
        return owner.title if isinstance(owner, Article) else owner.display_name

    @property
    def args(self) -> dict[str, object]:
        """The query or form values that name this target (the picker's, an upload's)."""
        if self.setting:
            return {"use": self.kind.name}
        if self.kind is AVATAR:
            return {"use": "avatar", "user_id": self.owner.id}
        return {"use": self.kind.name, "article_id": self.owner.id}

    @property
    def choose_url(self) -> str:
        """Where a choice (or Remove) is posted."""
        if self.setting:
            return url_for("staff.settings_image", use=self.kind.name)
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
        if self.setting:
            return url_for("staff.settings") + "#images"
        if self.kind is AVATAR:
            return profile_url(self.owner)
        return editor_url("edit", self.owner.kind, article_id=self.owner.id)

    @property
    def back_label(self) -> str:
        """What back_url is, as its link names it."""
        if self.setting:
            return "the settings"
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
    if kind.name in SETTING_KEYS:
        return setting_target(kind)
    if owner_id is None or not 0 < owner_id <= MAX_ID:
        abort(404)
    if kind is AVATAR:
        if not may_edit_profile(owner_id):
            abort(403)
        return ImageTarget(kind, db.get_or_404(User, owner_id))
    return ImageTarget(kind, db.get_or_404(Article, owner_id))


def setting_target(kind: Kind) -> ImageTarget:
    """One of the site's images: admins only (403), not while its variable sets it (409)."""
    if current_user.role != Role.ADMIN:
        abort(403)
    if SETTING_KEYS[kind.name] in site_settings().locked:
        abort(409)
    return ImageTarget(kind, None)


def target_from(values: Mapping[str, str]) -> ImageTarget | None:
    """The target request values name (use=, article_id= or user_id=), None for none."""
    use = values.get("use") or ""
    if not use:
        return None
    kind = KINDS.get(use)
    if kind is None:
        abort(404)
    if kind.name in SETTING_KEYS:
        return setting_target(kind)
    owner = "user_id" if kind is AVATAR else "article_id"
    raw = values.get(owner) or ""
    return find_target(kind, int(raw) if raw.isascii() and raw.isdigit() else None)


def choose(target: ImageTarget, media_id: int | None) -> ImageTarget:
    """Put an image there (None: take it away); 404 when either is missing.

    The article's (or the author's articles') updated_at moves, so every
    cached page showing it is made again (models._byline_changed, publishing);
    a site image is a setting, whose version every cached page is keyed on.
    """
    if target.setting:
        return _choose_setting(target, media_id)
    with write_transaction():
        _usable(media_id)
        owner = db.get_or_404(type(target.owner), target.owner.id)
        if target.kind is COVER:
            set_cover(owner, media_id)
        elif target.kind is SOCIAL:
            set_social_image(owner, media_id)
        else:
            owner.avatar_id = media_id
            owner.avatar = db.session.get(Media, media_id) if media_id else None
            detail = f"avatar: #{media_id}" if media_id else "avatar removed"
            record(AuditAction.PROFILE_CHANGED, target=owner, detail=detail)
    return ImageTarget(target.kind, owner)


def _usable(media_id: int | None) -> Media | None:
    """The image to put somewhere (None: none), read under the write lock; 404 when
    it is gone or could not be prepared."""
    if media_id is None:
        return None
    media = db.session.get(Media, media_id)
    if media is None or media.status == MediaStatus.FAILED:
        abort(404)
    return media


def _choose_setting(target: ImageTarget, media_id: int | None) -> ImageTarget:
    """Store one of the site's images as its setting, with its audit line."""
    key = target.setting
    with write_transaction():
        media = _usable(media_id)
        before = site_settings().value(key)
        save({key: media_id or 0}, current_user.id)
        was = f"#{before}" if before else "none"
        now = f"#{media.id} {media.filename}" if media is not None else "none"
        label = target.kind.label.lower()
        record(AuditAction.SETTINGS_CHANGED, detail=f"{label}: {was} → {now}")
    site_settings().reload()
    return target
