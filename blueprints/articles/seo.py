"""Absolute URLs and the metadata search engines and link previews read."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import request
from markupsafe import Markup

from blueprints.articles.markdown import excerpt_from_html
from blueprints.media.pictures import Picture
from blueprints.media.site_images import social_image
from models import Article
from models import ArticleKind
from models import Media
from models import User
from models import utcnow
from web.urls import absolute_url
from web.urls import site_url


def site_root() -> str:
    """The site's absolute root URL, ending in a slash."""
    return absolute_url("articles.index")


def description_of(article: Article) -> str:
    """The article's summary, or an excerpt of its body when it has none."""
    return (article.summary or "").strip() or excerpt_from_html(article.body_html, 160)


def title_of(article: Article) -> str:
    """The title search results and link previews show: the SEO title, else the title."""
    return (article.meta_title or "").strip() or article.title


def search_description(article: Article) -> str:
    """The description for search and link previews: the SEO one, else description_of."""
    return (article.meta_description or "").strip() or description_of(article)


def reader_endpoint(kind: ArticleKind) -> str:
    """The endpoint readers see an article or a page of this kind at."""
    return "articles.page" if kind == ArticleKind.PAGE else "articles.detail"


def own_url(article: Article) -> str:
    """The article's (or page's) address on this site."""
    return absolute_url(reader_endpoint(article.kind), slug=article.slug)


def canonical_of(article: Article) -> str:
    """The article's canonical URL: the override, else its own address.

    Only ever written into the page (link rel=canonical, og:url, JSON-LD),
    never redirected to.
    """
    return (article.canonical_url or "").strip() or own_url(article)


def page_meta(
    title: str,
    description: str,
    canonical: str,
    kind: str = "website",
    noindex: bool = False,
    image: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The values templates/_meta.html turns into head tags.

    image: share_image() of the page's picture, for a large link preview;
    without one, the default social image when the settings have one.
    """
    return {
        "title": title,
        "description": " ".join(description.split())[:300],
        "canonical": canonical,
        "kind": kind,
        "noindex": noindex,
        "site_name": current_app.config["SITE_TITLE"],
        "image": image or social_image(),
    }


def share_image(article: Article) -> dict[str, Any] | None:
    """The article's picture as link previews and feeds take it (None: none ready).

    Its social image, else its cover: Picture.share_image()'s file (url, type,
    width, height, length, alt), with its absolute URL under the site URL.
    """
    return absolute_image(article.social_image) or absolute_image(article.cover)


def absolute_image(media: Media | None) -> dict[str, Any] | None:
    """An image's file for link previews, feeds and JSON-LD (None: none, or not ready)."""
    image = Picture.of(media).share_image() if media is not None else None
    if image is None:
        return None
    return {**image, "url": site_url() + image["path"]}


def author_url(author: User) -> str:
    """The absolute address of an author's page."""
    return absolute_url("articles.author", slug=author.slug)


def person(author: User) -> dict[str, Any]:
    """schema.org Person of an author: name, page and avatar; never the email."""
    data: dict[str, Any] = {
        "@type": "Person",
        "name": author.display_name,
        "url": author_url(author),
    }
    avatar = absolute_image(author.avatar)
    if avatar is not None:
        data["image"] = avatar["url"]
    return data


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


def profile_page(author: User, url: str) -> dict[str, Any]:
    """schema.org ProfilePage for an author page's JSON-LD, about the Person."""
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": url,
        "mainEntity": person(author),
    }


def blog_posting(
    article: Article, url: str, image: dict[str, Any] | None = None
) -> dict[str, Any]:
    """schema.org BlogPosting for an article page's JSON-LD (image: share_image()).

    url: the canonical URL (canonical_of()), so every signal names one address.
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": search_description(article),
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
        data["author"] = person(article.author)
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
        "description": search_description(article),
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
