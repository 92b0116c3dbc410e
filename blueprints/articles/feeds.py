"""Atom 1.0 feeds: the latest articles, site-wide, for one tag or by one author."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin
from urllib.parse import urlsplit

from flask import Response
from flask import render_template
from sqlalchemy.orm import joinedload

from blueprints.articles.seo import author_url
from blueprints.articles.seo import description_of
from blueprints.articles.seo import share_image
from blueprints.articles.seo import site_root
from models import Article
from models import Tag
from models import User
from models import utcnow
from web.http_caching import fingerprint
from web.http_caching import not_modified
from web.http_caching import not_modified_response
from web.http_caching import public_resource
from web.urls import absolute_url

FEED_SIZE = 20
# What an entry shows beyond a card: its social image (the enclosure).
FEED_OPTIONS = (joinedload(Article.social_image),)
ATOM_TYPE = "application/atom+xml; charset=utf-8"

# Characters XML 1.0 does not allow anywhere, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RELATIVE = re.compile(r'(href|src)="(/[^"]*)"')
_SRCSET = re.compile(r'srcset="([^"]*)"')


def xml_text(value: object) -> str:
    """Text with the characters XML 1.0 forbids removed (escaping is Jinja's)."""
    return _NOT_XML.sub("", str(value or ""))


def absolutize(html: str, base: str) -> str:
    """Make root-relative links and images in html absolute, for feed readers.

    href and src, and each candidate of a srcset (a <picture>'s sources too).
    """
    html = _RELATIVE.sub(
        lambda m: f'{m.group(1)}="{urljoin(base, m.group(2))}"', html or ""
    )
    return _SRCSET.sub(lambda m: f'srcset="{_absolute_srcset(m.group(1), base)}"', html)


def _absolute_srcset(srcset: str, base: str) -> str:
    """A srcset with each candidate's root-relative URL made absolute."""
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        if url.startswith("/"):
            url = urljoin(base, url)
        candidates.append(f"{url} {descriptor}".strip())
    return ", ".join(candidates)


def entry_id(article: Article) -> str:
    """A permanent tag: URI for an entry, unchanged when its slug is renamed."""
    host = urlsplit(site_root()).hostname or "localhost"
    day = article.created_at.date().isoformat()
    return f"tag:{host},{day}:article-{article.id}"


def feed_response(
    articles: list[Article], tag: Tag | None = None, author: User | None = None
) -> Response:
    """The Atom document for articles (a 304 when the reader has it already).

    tag or author: the feed of that tag's or that author's articles.
    """
    updated: datetime = max(
        (a.updated_at for a in articles), default=None
    ) or utcnow().replace(microsecond=0)
    etag = fingerprint(
        [
            tag.slug if tag else None,
            tag.name if tag else None,
            author.slug if author else None,
            author.display_name if author else None,
            [(a.id, a.updated_at, a.slug) for a in articles],
        ]
    )
    if not_modified(etag, updated):
        return not_modified_response(etag, private=False, last_modified=updated)
    if tag is not None:
        self_url = absolute_url("articles.tag_feed", slug=tag.slug)
        alternate = absolute_url("articles.tag", slug=tag.slug)
    elif author is not None:
        self_url = absolute_url("articles.author_feed", slug=author.slug)
        alternate = author_url(author)
    else:
        self_url = absolute_url("articles.feed")
        alternate = absolute_url("articles.index")
    body = render_template(
        "articles/feed.xml",
        articles=articles,
        scope=tag.name if tag else author.display_name if author else None,
        author_url=author_url,
        updated=updated,
        self_url=self_url,
        alternate=alternate,
        feed_id=self_url,
        absolute_url=absolute_url,
        absolutize=absolutize,
        description_of=description_of,
        entry_id=entry_id,
        share_image=share_image,
        xml_text=xml_text,
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = ATOM_TYPE
    return public_resource(response, etag, updated)
