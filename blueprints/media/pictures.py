"""An image as HTML: ``<picture>`` with WebP and fallback ``srcset``, sized, lazy when asked.

The one place image markup is written: article bodies (at save time, by
articles.markdown), covers on the article page and on cards (the `picture`
template global), and the image URLs of link previews and feeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import select

from blueprints.media.variants import CONTENT_TYPE
from blueprints.media.variants import EXTENSION
from blueprints.media.variants import Size
from blueprints.media.variants import key_for
from blueprints.media.variants import sizes_from_json
from models import Media
from models import MediaStatus
from models import db

# Where media files are served. A fixed path, not url_for(): article bodies
# are rendered by the background worker too (no request), and the nginx and
# Caddy examples in docs/deployment.md serve this same path from the folder.
MEDIA_PATH = "/media/"

# How wide an image shows, for the browser's choice from srcset: the widths
# static/css/public.css gives them (with the page's gutters rounded down).
# Body images and the article's cover take the article's wide column.
BODY_SIZES = "(min-width: 62rem) 58rem, calc(100vw - 2rem)"
COVER_SIZES = BODY_SIZES
# Cards: three columns from 65rem, two from 43rem, else one.
CARD_SIZES = (
    "(min-width: 65rem) 22rem, (min-width: 43rem) calc(50vw - 3rem), calc(100vw - 2rem)"
)
# The home page's first card: 7/12 of the row from 48rem.
FEATURED_SIZES = (
    "(min-width: 74rem) 39rem, (min-width: 48rem) calc(58vw - 3rem), calc(100vw - 2rem)"
)
# A search result's thumbnail.
THUMB_SIZES = "6rem"


@dataclass(frozen=True)
class Picture:
    """What rendering an image needs, read from its Media row."""

    id: int
    sha256: str
    format: str
    width: int
    height: int
    sizes: tuple[Size, ...]
    alt: str
    caption: str
    ready: bool

    @classmethod
    def of(cls, media: Media) -> Picture:
        """The Picture of a Media row."""
        return cls(
            id=media.id,
            sha256=media.sha256,
            format=media.format,
            width=media.width,
            height=media.height,
            sizes=tuple(sizes_from_json(media.variants)),
            alt=media.alt,
            caption=media.caption,
            ready=media.status == MediaStatus.READY,
        )

    @property
    def largest(self) -> Size | None:
        return self.sizes[-1] if self.sizes else None

    def url(self, width: int, fmt: str) -> str:
        """The URL of one stored file."""
        return MEDIA_PATH + key_for(self.sha256, width, fmt)

    def srcset(self, fmt: str) -> str:
        """Every width in one format, for a srcset attribute."""
        return ", ".join(f"{self.url(s.width, fmt)} {s.width}w" for s in self.sizes)

    def best(self, max_width: int = 1600) -> Size | None:
        """The widest size up to max_width (else the narrowest)."""
        fitting = [s for s in self.sizes if s.width <= max_width]
        return (fitting or list(self.sizes[:1]) or [None])[-1]

    def share_image(self) -> dict | None:
        """The fallback-format file for link previews and feeds: url, type, size."""
        size = self.best(1600)
        if not self.ready or size is None:
            return None
        return {
            "path": self.url(size.width, self.format),
            "type": CONTENT_TYPE[EXTENSION[self.format]],
            "width": size.width,
            "height": size.height,
            "length": size.files.get(self.format, 0),
            "alt": self.alt,
        }

    @property
    def display_size(self) -> tuple[int, int]:
        """The width and height attributes: the largest stored size's shape."""
        size = self.largest
        return (size.width, size.height) if size else (self.width, self.height)


def load_pictures(ids: Iterable[int]) -> dict[int, Picture]:
    """The Pictures of these media ids that exist, in one query."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    # Called while an article is being built, perhaps not in the session yet.
    with db.session.no_autoflush:
        rows = db.session.scalars(select(Media).where(Media.id.in_(wanted)))
        return {media.id: Picture.of(media) for media in rows}


def picture_html(
    picture: Picture,
    sizes: str,
    alt: str | None = None,
    lazy: bool = True,
    css_class: str = "",
    priority: bool = False,
) -> Markup:
    """The <picture> for an image; alt None means the image's own alt text."""
    text = picture.alt if alt is None else alt
    width, height = picture.display_size
    attributes = [
        f'alt="{escape(text)}"',
        f'width="{width}" height="{height}"',
        'loading="lazy" decoding="async"' if lazy else 'decoding="async"',
    ]
    if priority:
        attributes.append('fetchpriority="high"')
    if css_class:
        attributes.append(f'class="{escape(css_class)}"')
    if not picture.ready or not picture.sizes:
        # Still being processed (or failed): a box that says so, asking for no
        # file; articles showing it are rendered again once the sizes exist
        # (blueprints/media/processing.py).
        return Markup(
            f'<span class="image-pending" role="img" aria-label="{escape(text)}">'
            "Image being prepared</span>"
        )
    fallback = picture.best(960) or picture.largest
    img = (
        f'<img src="{picture.url(fallback.width, picture.format)}" '
        f'srcset="{picture.srcset(picture.format)}" sizes="{sizes}" '
        + " ".join(attributes)
        + ">"
    )
    if picture.format == "webp":
        return Markup(img)
    return Markup(
        f'<picture><source type="image/webp" srcset="{picture.srcset("webp")}" '
        f'sizes="{sizes}">{img}</picture>'
    )


def init_app(app) -> None:
    """Give templates `picture(media, sizes, ...)`, the sizes and `is ready_image`."""

    def picture(media: Media | None, sizes: str, **options) -> Markup:
        if media is None:
            return Markup("")
        return picture_html(Picture.of(media), sizes, **options)

    def ready_image(media: Media | None) -> bool:
        """`{% if article.cover is ready_image %}`: its sizes exist, it can show."""
        return media is not None and media.status == MediaStatus.READY

    app.jinja_env.globals.update(
        picture=picture,
        BODY_SIZES=BODY_SIZES,
        COVER_SIZES=COVER_SIZES,
        CARD_SIZES=CARD_SIZES,
        FEATURED_SIZES=FEATURED_SIZES,
        THUMB_SIZES=THUMB_SIZES,
    )
    app.jinja_env.tests["ready_image"] = ready_image
