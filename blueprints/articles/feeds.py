"""Atom 1.0 feeds: the latest articles, site-wide, for one tag or by one author."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

from flask import Response
from sqlalchemy.orm import joinedload

from blueprints.articles.seo import author_url
from blueprints.articles.seo import description_of
from blueprints.articles.seo import share_image
from models import Article
from models import Tag
from models import User
from models import utcnow
from web.atom import atom_document
from web.atom import feed_etag
from web.atom import tag_uri
from web.atom import unchanged
from web.urls import absolute_url

FEED_SIZE = 20
# What an entry shows beyond a card: its social image (the enclosure).
FEED_OPTIONS = (joinedload(Article.social_image),)
_RELATIVE = re.compile(r'(href|src)="(/[^"]*)"')
_SRCSET = re.compile(r'srcset="([^"]*)"')


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
    return tag_uri(article.created_at.date(), f"article-{article.id}")


def feed_response(
    articles: list[Article], tag: Tag | None = None, author: User | None = None
) -> Response:
    """The Atom document for articles (a 304 when the reader has it already).

    tag or author: the feed of that tag's or that author's articles.
    """
    updated: datetime = max(
        (a.updated_at for a in articles), default=None
    ) or utcnow().replace(microsecond=0)
    etag = feed_etag(
        [
            tag.slug if tag else None,
            tag.name if tag else None,
            author.slug if author else None,
            author.display_name if author else None,
            [(a.id, a.updated_at, a.slug) for a in articles],
        ]
    )
    answer = unchanged(etag, updated)
    if answer is not None:
        return answer
    if tag is not None:
        self_url = absolute_url("articles.tag_feed", slug=tag.slug)
        alternate = absolute_url("articles.tag", slug=tag.slug)
    elif author is not None:
        self_url = absolute_url("articles.author_feed", slug=author.slug)
        alternate = author_url(author)
    else:
        self_url = absolute_url("articles.feed")
        alternate = absolute_url("articles.index")
    return atom_document(
        "articles/feed.xml",
        etag,
        updated,
        articles=articles,
        scope=tag.name if tag else author.display_name if author else None,
        author_url=author_url,
        self_url=self_url,
        alternate=alternate,
        feed_id=self_url,
        absolute_url=absolute_url,
        absolutize=absolutize,
        description_of=description_of,
        entry_id=entry_id,
        share_image=share_image,
    )
