"""WordPress posts and pages to Folio articles and pages."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from flask import url_for
from slugify import slugify

from blueprints.articles.publishing import reserved_slugs
from blueprints.articles.publishing import set_body
from blueprints.articles.publishing import set_cover
from blueprints.articles.publishing import slug_taken
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import BodyFormat
from models import Tag
from models import db
from models import utcnow
from porting.import_report import ImportReport
from porting.wp_content import convert_post
from porting.wp_content import split_more
from porting.wxr_records import ItemRecord

MAX_TITLE = 200
MAX_SLUG = 180
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Fate:
    """What a WordPress status becomes, and why when it is not the same thing."""

    status: ArticleStatus
    reason: str = ""


def fate(item: ItemRecord) -> Fate | None:
    """The Folio status for the item's WordPress status (None: not imported)."""
    status = item.status
    if item.password:
        return Fate(ArticleStatus.DRAFT, "password-protected: imported as a draft")
    if status in ("publish", "future"):
        return Fate(ArticleStatus.PUBLISHED)
    if status in ("draft", "pending"):
        return Fate(ArticleStatus.DRAFT)
    if status == "private":
        return Fate(ArticleStatus.DRAFT, "private: imported as a draft")
    if status == "trash":
        return Fate(ArticleStatus.DRAFT, "in WordPress's trash: imported as a draft")
    if status == "auto-draft":
        return None
    return Fate(ArticleStatus.DRAFT, f"status {status!r}: imported as a draft")


def plain(text: str) -> str:
    """Text of a WordPress title or excerpt: tags dropped, entities decoded once."""
    return " ".join(html.unescape(_TAGS.sub("", text or "")).split())


def published_at(item: ItemRecord) -> datetime | None:
    """When it was (or will be) published: its GMT date, else its local one as UTC."""
    if item.date_gmt is not None:
        return item.date_gmt
    if item.date is not None:
        return item.date.replace(tzinfo=UTC)
    return None


class Posts:
    """Makes the article (or page) for each post item, with its tags and cover."""

    def __init__(self, report: ImportReport, media, terms, authors, redirects) -> None:
        self.report = report
        self.media = media
        self.terms = terms
        self.authors = authors
        self.redirects = redirects
        self._reserved = reserved_slugs()

    def add(self, item: ItemRecord) -> Article | None:
        """The new article for item, added to the session (None: skipped)."""
        kind = ArticleKind.PAGE if item.post_type == "page" else ArticleKind.ARTICLE
        label = kind.value
        outcome = fate(item)
        if outcome is None:
            self.report.count(label, "skipped")
            self.report.warn(label, item.wp_id, "an auto-draft: skipped")
            return None
        article = Article(
            kind=kind,
            slug=self._slug(item, kind),
            title=self._title(item, label),
            summary=plain(item.excerpt),
            status=outcome.status,
            author_id=self.authors.for_login(item.author_login),
            comments_open=item.comment_status != "closed",
            featured=item.sticky and kind == ArticleKind.ARTICLE,
        )
        self._dates(article, item, outcome)
        self._body(article, item, label)
        self._tags(article, item)
        db.session.add(article)
        db.session.flush()
        set_cover(article, self.media.cover_for(item))
        target = url_for(
            "articles.page" if kind == ArticleKind.PAGE else "articles.detail",
            slug=article.slug,
        )
        self.redirects.item(item.wp_id, item.link, kind == ArticleKind.PAGE, target)
        if outcome.reason:
            self.report.warn(label, item.wp_id, outcome.reason)
            self.report.count(label, "converted")
        else:
            self.report.count(label, "imported")
        return article

    def _dates(self, article: Article, item: ItemRecord, outcome: Fate) -> None:
        when = published_at(item)
        if item.date_gmt is None and item.date is not None and item.status == "publish":
            self.report.warn(
                article.kind.value,
                item.wp_id,
                "no GMT date: its local time taken as UTC",
            )
        article.created_at = when or utcnow()
        if outcome.status == ArticleStatus.PUBLISHED:
            article.published_at = when or utcnow()

    def _title(self, item: ItemRecord, label: str) -> str:
        title = plain(item.title)[:MAX_TITLE]
        if not title:
            self.report.warn(label, item.wp_id, "no title: called “Untitled”")
            return "Untitled"
        return title

    def _slug(self, item: ItemRecord, kind: ArticleKind) -> str:
        wanted = item.slug or plain(item.title) or f"{kind.value}-{item.wp_id}"
        base = slugify(wanted, max_length=MAX_SLUG) or f"{kind.value}-{item.wp_id}"
        if item.slug and base != item.slug:
            self.report.note("slugs made ASCII or shortened")
        reserved = self._reserved if kind == ArticleKind.PAGE else frozenset()
        slug, n = base, 2
        while slug in reserved or slug_taken(slug, None):
            slug, n = f"{base}-{n}", n + 1
        if slug != base:
            self.report.warn(
                kind.value, item.wp_id, f"slug {base!r} taken: now {slug!r}"
            )
        return slug

    def _body(self, article: Article, item: ItemRecord, label: str) -> None:
        _, content = split_more(item.content)
        content = self.media.with_gallery_ids(item.wp_id, content)
        converted = convert_post(content, self.media.addresses)
        for name, n in converted.shortcodes.items():
            self.report.note(f"shortcode [{name}] kept as text", n)
        self.report.note("embeds turned into links", converted.embeds)
        self.report.note(
            "gallery images not in the file", converted.missing_gallery_images
        )
        article.body_format = BodyFormat.HTML
        set_body(article, self.media.local_links(self.media.rewrite(converted.html)))

    def _tags(self, article: Article, item: ItemRecord) -> None:
        ids = []
        for term in item.terms:
            tag_id = self.terms.declare(term.domain, term.slug, term.name)
            if tag_id is not None and tag_id not in ids:
                ids.append(tag_id)
        if ids:
            with db.session.no_autoflush:
                article.tags = [db.session.get(Tag, i) for i in ids]
