"""Absolute URLs and the metadata search engines and link previews read."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import request
from markupsafe import Markup

from blueprints.articles.markdown import excerpt_from_html
from blueprints.media.pictures import Picture
from models import Article
from models import utcnow
from web.urls import absolute_url
from web.urls import site_url


def site_root() -> str:
    """The site's absolute root URL, ending in a slash."""
    return absolute_url("articles.index")


def description_of(article: Article) -> str:
    """The article's summary, or an excerpt of its body when it has none."""
    return (article.summary or "").strip() or excerpt_from_html(article.body_html, 160)


def page_meta(
    title: str,
    description: str,
    canonical: str,
    kind: str = "website",
    noindex: bool = False,
    image: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The values templates/_meta.html turns into head tags.

    image: share_image() of the page's picture, for a large link preview.
    """
    return {
        "title": title,
        "description": " ".join(description.split())[:300],
        "canonical": canonical,
        "kind": kind,
        "noindex": noindex,
        "site_name": current_app.config["SITE_TITLE"],
        "image": image,
    }


def share_image(article: Article) -> dict[str, Any] | None:
    """The article's cover as link previews and feeds take it (None: no ready cover).

    Picture.share_image()'s file (url, type, width, height, length, alt), with
    its absolute URL under the configured site URL.
    """
    if article.cover is None:
        return None
    image = Picture.of(article.cover).share_image()
    if image is None:
        return None
    return {**image, "url": site_url() + image["path"]}


def default_page_meta(
    title: str, description: str, noindex: bool = False
) -> dict[str, Any]:
    """Head-tag values for a page that sets none itself (contact, staff, errors).

    The canonical URL is the requested path without its query string, under
    the configured site URL. title and description are the page's rendered
    blocks (already escaped), turned back into text so they are escaped once.
    """
    title, description = _text(title), _text(description)
    canonical = site_url() + request.path
    return page_meta(title, description, canonical, noindex=noindex)


def _text(value: str) -> str:
    """Plain text from a rendered (escaped) template block."""
    return Markup(value).unescape() if isinstance(value, Markup) else str(value)


def list_canonical(endpoint: str, number: int, **values: Any) -> str:
    """Canonical URL of a list page: page 1 has no page parameter."""
    if number > 1:
        values["page"] = number
    return absolute_url(endpoint, **values)


def blog_posting(
    article: Article, url: str, image: dict[str, Any] | None = None
) -> dict[str, Any]:
    """schema.org BlogPosting for an article page's JSON-LD (image: share_image())."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": description_of(article),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "dateModified": (article.updated_at or utcnow()).isoformat(),
        "publisher": {
            "@type": "Organization",
            "name": current_app.config["SITE_TITLE"],
            "url": site_root(),
        },
    }
    if article.published_at is not None:
        data["datePublished"] = article.published_at.isoformat()
    if article.author is not None:
        data["author"] = {"@type": "Person", "name": article.author.display_name}
    if article.tags:
        data["keywords"] = [tag.name for tag in article.tags]
    if image is not None:
        data["image"] = _image_object(image)
    return data


def web_page(
    article: Article, url: str, image: dict[str, Any] | None = None
) -> dict[str, Any]:
    """schema.org WebPage for a page's JSON-LD (About, Privacy): it shows no
    author, date or tags, so it claims none."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": article.title,
        "description": description_of(article),
        "url": url,
        "dateModified": (article.updated_at or utcnow()).isoformat(),
        "isPartOf": {
            "@type": "WebSite",
            "name": current_app.config["SITE_TITLE"],
            "url": site_root(),
        },
    }
    if image is not None:
        data["primaryImageOfPage"] = _image_object(image)
    return data


def _image_object(image: dict[str, Any]) -> dict[str, Any]:
    """schema.org ImageObject of a share_image()."""
    return {
        "@type": "ImageObject",
        "url": image["url"],
        "width": image["width"],
        "height": image["height"],
    }
