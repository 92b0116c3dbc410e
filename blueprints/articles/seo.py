"""Absolute URLs and the metadata search engines and link previews read."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import request
from markupsafe import Markup

from blueprints.articles.markdown import excerpt_from_html
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
) -> dict[str, Any]:
    """The values templates/_meta.html turns into head tags."""
    return {
        "title": title,
        "description": " ".join(description.split())[:300],
        "canonical": canonical,
        "kind": kind,
        "noindex": noindex,
        "site_name": current_app.config["SITE_TITLE"],
    }


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


def blog_posting(article: Article, url: str) -> dict[str, Any]:
    """schema.org BlogPosting for an article page's JSON-LD."""
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
    return data
