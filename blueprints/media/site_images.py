"""The library images site settings show: the logo, the favicon, the default social image.

Loaded in one query per settings version and process (the version moves when
such a setting changes, and when an image one shows is described or gets new
files: web/site_settings.media_changed), so pages ask nothing more.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import current_app
from markupsafe import Markup

from blueprints.media.pictures import Picture
from blueprints.media.pictures import load_pictures
from blueprints.media.pictures import picture_html
from web.editable_settings import MEDIA_SETTINGS
from web.site_settings import settings_version
from web.urls import site_url

_MEMO = "folio_site_pictures"
# The header's logo is 2rem tall; its widths let a wide logo stay sharp.
LOGO_SIZES = "12rem"


def site_pictures() -> dict[str, Picture]:
    """The ready Pictures of the image settings that are set, by key."""
    version = settings_version()
    memo = current_app.extensions.get(_MEMO)
    if memo is None or memo[0] != version:
        config = current_app.config
        ids = {e.key: config[e.key] for e in MEDIA_SETTINGS if config[e.key]}
        found = load_pictures(ids.values()) if ids else {}
        pictures = {
            key: found[media_id]
            for key, media_id in ids.items()
            if media_id in found and found[media_id].ready and found[media_id].sizes
        }
        memo = (version, pictures)
        current_app.extensions[_MEMO] = memo
    return memo[1]


def logo_html() -> Markup:
    """The header's logo (the title beside it names the site, so alt is empty)."""
    picture = site_pictures().get("LOGO_MEDIA_ID")
    if picture is None:
        return Markup("")
    return picture_html(picture, LOGO_SIZES, alt="", lazy=False, css_class="site-logo")


def favicon_url() -> str | None:
    """The URL of the favicon setting's smallest size (None: Folio's own icon)."""
    picture = site_pictures().get("FAVICON_MEDIA_ID")
    if picture is None:
        return None
    return picture.url(picture.sizes[0].width, picture.format)


def social_image() -> dict[str, Any] | None:
    """The default social image as link previews take it (seo.share_image's shape)."""
    picture = site_pictures().get("SOCIAL_IMAGE_MEDIA_ID")
    image = picture.share_image() if picture is not None else None
    if image is None:
        return None
    return {**image, "url": site_url() + image["path"]}


def init_app(app: Flask) -> None:
    """Give templates the logo and the favicon."""
    app.jinja_env.globals.update(site_logo=logo_html, site_favicon_url=favicon_url)
