"""`flask import wordpress`: a WXR file into Folio, losing nothing, one item at a time.

A first pass reads the whole file (refusing a malformed one before anything
is written) and collects its attachments; the second stores them, then the
authors and terms, then each post or page with its comments in a transaction
of its own. imported_ids makes a re-run add nothing but what is new, and an
interrupted import resume where it stopped. See docs/importing.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from blueprints.media.processing import processor
from models import Article
from models import db
from porting.import_ids import ImportedIds
from porting.import_report import ImportReport
from porting.wp_authors import GONE
from porting.wp_authors import AuthorOptions
from porting.wp_authors import Authors
from porting.wp_authors import ImportProblem
from porting.wp_comments import import_comments
from porting.wp_media import Attachment
from porting.wp_media import Media
from porting.wp_posts import Posts
from porting.wp_redirects import Redirects
from porting.wp_redirects import old_path
from porting.wp_terms import Terms
from porting.wp_terms import tag_slug
from porting.wxr_reader import read_wxr
from porting.wxr_records import Author
from porting.wxr_records import Header
from porting.wxr_records import ItemRecord
from porting.wxr_records import Term
from storage.transactions import write_transaction
from web.urls import urls_outside_requests

WXR_VERSIONS = ("1.0", "1.1", "1.2")
ARTICLE_TYPES = ("post", "page")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    """What the command line (or the staff form) asked for."""

    authors: AuthorOptions = field(default_factory=AuthorOptions)
    uploads: Path | None = None
    fetch_media: bool = False
    dry_run: bool = False


@dataclass
class FirstPass:
    """What the importer needs before it writes: the header, totals, attachments."""

    header: Header
    items: int = 0
    attachments: list[Attachment] = field(default_factory=list)


def first_pass(path: str | os.PathLike) -> FirstPass:
    """Read the whole file once: WxrError when it is malformed, ImportProblem when
    it is not a WordPress export."""
    found: FirstPass | None = None
    # Comments are not needed yet: they are left unbuilt (a quarter of the
    # work of a pass over a file of a million).
    for record in read_wxr(path, comments=False):
        if isinstance(record, Header):
            found = FirstPass(record)
        elif isinstance(record, ItemRecord) and found is not None:
            found.items += 1
            if record.post_type == "attachment":
                found.attachments.append(Attachment.of(record))
    if found is None or found.header.wxr_version not in WXR_VERSIONS:
        raise ImportProblem(
            "This does not appear to be a WordPress export (WXR) file:"
            " its WXR version number is missing or invalid."
        )
    return found


def source_name(header: Header, path: str | os.PathLike) -> str:
    """The key imported ids are kept under: the exporting site's address."""
    site = header.base_blog_url or header.base_site_url or header.link
    return f"wordpress:{site or Path(path).name}"[:300]


class WordPressImport:
    """One run of the importer over one file."""

    def __init__(self, path, options: ImportOptions, progress: Progress | None) -> None:
        self.path = path
        self.options = options
        self.progress = progress or (lambda done, total: None)
        self.report = ImportReport(dry_run=options.dry_run)

    def run(self) -> ImportReport:
        """Import the file; the report says what became of each piece."""
        scanned = first_pass(self.path)
        self.total = scanned.items
        outer = write_transaction() if self.options.dry_run else nullcontext()
        with outer as transaction:
            self._begin(source_name(scanned.header, self.path))
            header = scanned.header
            self.media.old_site(header.base_site_url, header.base_blog_url, header.link)
            self._attachments(scanned.attachments)
            self._stream()
            if transaction is not None:
                transaction.rollback()
        if not self.options.dry_run:
            processor().wait(timeout=600)
        return self.report

    def _step(self):
        """One item's transaction (all of them are one, rolled back, in a dry run)."""
        return nullcontext() if self.options.dry_run else write_transaction()

    def _begin(self, source: str) -> None:
        self.ids = ImportedIds(source)
        self.authors = Authors(self.options.authors, self.ids, self.report)
        self.terms = Terms(self.ids, self.report)
        self.redirects = Redirects()
        self.media = Media(
            self.options.uploads, self.ids, self.report, self.options.fetch_media
        )
        self.posts = Posts(
            self.report, self.media, self.terms, self.authors, self.redirects
        )
        self.done = 0
        # Comments of items that repeat a post's id, by that id (_repeat).
        self._waiting: dict[int, list] = {}

    def _attachments(self, attachments: list[Attachment]) -> None:
        """Store every attachment's file first: posts then point at them."""
        for attachment in attachments:
            media_id = self.media.add(attachment, dry_run=self.options.dry_run)
            if media_id is None or self.ids.get("attachment", attachment.wp_id):
                continue
            with self._step():
                self.ids.add("attachment", attachment.wp_id, media_id)
                self.redirects.add(old_path(attachment.url), f"/media/{media_id}")
                self.redirects.write()

    def _stream(self) -> None:
        """Authors and terms as they come, then each item in its own transaction."""
        pending: list[Author | Term] = []
        for record in read_wxr(self.path):
            if isinstance(record, (Author, Term)):
                pending.append(record)
                continue
            if not isinstance(record, ItemRecord):
                continue
            if pending:
                self._people_and_terms(pending)
                pending = []
            self._item(record)
            self.done += 1
            self.progress(self.done, self.total)
        if pending:
            self._people_and_terms(pending)
        self._left_waiting()

    def _people_and_terms(self, records: list[Author | Term]) -> None:
        with self._step():
            for record in records:
                if isinstance(record, Author):
                    self.authors.declare(record)
                    if self.options.authors.create_authors:
                        self.authors.for_login(record.login)
                    continue
                tag_id = self.terms.declare(
                    record.taxonomy,
                    record.slug,
                    record.name,
                    record.parent_slug,
                    record.wp_id,
                )
                if tag_id is not None:
                    self.redirects.term(
                        record.taxonomy, record.slug, tag_slug(record.slug, record.name)
                    )
            self.redirects.feeds()
            self.redirects.write()

    def _item(self, item: ItemRecord) -> None:
        if item.post_type == "attachment":
            return
        if not item.post_type and item.wp_id:
            self._repeat(item)
            return
        if item.post_type not in ARTICLE_TYPES:
            self.report.count(item.post_type or "item", "skipped")
            return
        try:
            with self._step():
                self._article(item)
        except ImportProblem:
            raise
        except Exception as error:
            raise ImportProblem(
                f"{item.post_type} {item.wp_id}: {error}. Everything before it is"
                " imported; run the same command again to resume."
            ) from error

    def _repeat(self, item: ItemRecord) -> None:
        """An item that only repeats a post's id (and adds comments to it): its
        comments join that post's, now if it is imported, else when it comes."""
        known = self.ids.get("post", item.wp_id)
        if self.ids.gone("post", item.wp_id):
            self.report.count("comment", "skipped", len(item.comments))
            return
        if known is None:
            self._waiting.setdefault(item.wp_id, []).extend(item.comments)
            return
        with self._step():
            if import_comments(
                known, item.comments, self.ids, self.authors, self.report
            ):
                db.session.get(Article, known).refresh_comment_stats()

    def _left_waiting(self) -> None:
        """Comments of repeated items whose post never came: said, not stored."""
        for wp_id, comments in self._waiting.items():
            self.report.count("comment", "skipped", len(comments))
            self.report.warn(
                "item",
                wp_id,
                f"no post or page has this id: {len(comments)} comments left out",
            )

    def _article(self, item: ItemRecord) -> None:
        label = "page" if item.post_type == "page" else "article"
        if item.wp_id and self.ids.gone("post", item.wp_id):
            self.report.count(label, "skipped")
            self.report.warn(label, item.wp_id, f"{GONE}: left out")
            return
        known = self.ids.get("post", item.wp_id) if item.wp_id else None
        comments = (*self._waiting.pop(item.wp_id, ()), *item.comments)
        if known is not None:
            added = import_comments(
                known, comments, self.ids, self.authors, self.report
            )
            self.report.count(label, "updated" if added else "skipped")
            if added:
                db.session.get(Article, known).refresh_comment_stats()
            return
        article = self.posts.add(item)
        if article is None:
            return
        if item.wp_id:
            self.ids.add("post", item.wp_id, article.id)
        if import_comments(article.id, comments, self.ids, self.authors, self.report):
            article.refresh_comment_stats()
        self.redirects.write()


def import_wordpress(
    path: str | os.PathLike, options: ImportOptions, progress: Progress | None = None
) -> ImportReport:
    """Import a WXR file; raises WxrError or ImportProblem before writing anything
    when the file cannot be imported."""
    with urls_outside_requests():
        return WordPressImport(path, options, progress).run()
