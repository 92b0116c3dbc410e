"""WordPress attachments into the media library, and their URLs rewritten."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

from blueprints.media.images import UploadProblem
from blueprints.media.images import inspect_upload
from blueprints.media.library import add_upload
from blueprints.media.processing import limits
from porting.import_ids import ImportedIds
from porting.import_report import ImportReport
from porting.media_fetch import fetch_image
from porting.wp_authors import GONE
from porting.wxr_records import ItemRecord

UPLOADS_MARK = "/wp-content/uploads/"
# WordPress's resized copies: photo-300x200.jpg is a size of photo.jpg.
_SIZED = re.compile(r"-\d{1,5}x\d{1,5}(?=\.[A-Za-z0-9]{2,5}$)")
# An upload's address in content: absolute or root-relative, to its end.
_UPLOAD_URL = re.compile(
    r"(?:https?:)?(?://([^\s\"'<>/]+))?/wp-content/uploads/([^\s\"'<>?#]+)"
)


# An absolute link: href=" (1), its host (2), its path and query (3).
_SITE_LINK = re.compile(r'(\bhref=")(?:https?:)?//([^/"\s]+)(/[^"]*)?"', re.I)
# [gallery] or [gallery columns="2"]: no ids or include of its own.
_BARE_GALLERY = re.compile(r"\[gallery((?:(?!\b(?:ids|include)=)[^\]])*)\]")


@dataclass(frozen=True)
class Attachment:
    """What the importer needs of a wp attachment item."""

    wp_id: int
    url: str
    path: str  # relative to wp-content/uploads
    title: str
    alt: str
    caption: str
    parent: int | None = None

    @classmethod
    def of(cls, item: ItemRecord) -> Attachment:
        """The attachment an item of post_type attachment describes."""
        meta = dict(item.meta)
        url = item.attachment_url or item.guid
        path = meta.get("_wp_attached_file") or upload_path(url) or ""
        return cls(
            wp_id=item.wp_id or 0,
            url=url,
            path=path.lstrip("/"),
            title=item.title,
            alt=meta.get("_wp_attachment_image_alt", ""),
            caption=item.excerpt,
            parent=item.parent_wp_id,
        )


def upload_path(url: str) -> str | None:
    """The path under wp-content/uploads an upload URL names (None: not one)."""
    path = unquote(urlsplit(url or "").path)
    if UPLOADS_MARK not in path:
        return None
    return path.split(UPLOADS_MARK, 1)[1]


def original_path(path: str) -> str:
    """The original's path for one of WordPress's resized copies (or itself)."""
    return _SIZED.sub("", path)


class Media:
    """Attachments stored in the library (with --uploads DIR), by upload path."""

    def __init__(
        self,
        uploads: Path | None,
        ids: ImportedIds,
        report: ImportReport,
        fetch: bool = False,
    ) -> None:
        self.uploads = uploads.resolve() if uploads else None
        self.fetch = fetch
        self.ids = ids
        self.report = report
        self.by_path: dict[str, int] = {}
        self.exact: dict[str, int] = {}
        # The exporting site's hosts: only their upload URLs are rewritten.
        self.hosts: set[str] = set()
        # The old site's own hosts (not its CDN's): links there become paths.
        self.site: set[str] = set()
        self.by_wp_id: dict[int, int] = {}
        # Every attachment's address (the library's when imported) and the
        # attachments of each post, for its galleries.
        self.addresses: dict[int, str] = {}
        self.children: dict[int, list[int]] = {}

    def add(self, attachment: Attachment, dry_run: bool = False) -> int | None:
        """Store one attachment's file in the library; its media id, or None."""
        self.addresses[attachment.wp_id] = attachment.url
        self.site_hosts(attachment.url)  # uploads may live on a CDN's host
        if attachment.parent:
            self.children.setdefault(attachment.parent, []).append(attachment.wp_id)
        if self.ids.gone("attachment", attachment.wp_id):
            self.report.count("attachment", "skipped")
            self.report.warn("attachment", attachment.wp_id, f"{GONE}: left out")
            return None
        known = self.ids.get("attachment", attachment.wp_id)
        if known is not None:
            self.report.count("attachment", "skipped")
            return self._remember(attachment, known)
        if self.uploads is None and not self.fetch:
            self.report.count("attachment", "skipped")
            self.report.warn(
                "attachment", attachment.wp_id, f"kept remote {attachment.url}"
            )
            return None
        try:
            data = self._data(attachment)
            name = Path(attachment.path).name
            declared = mimetypes.guess_type(name)[0] or ""
            image = inspect_upload(data, name, declared, limits())
        except (OSError, UploadProblem) as problem:
            self.report.count("attachment", "skipped")
            self.report.warn(
                "attachment", attachment.wp_id, f"{attachment.path}: {problem}"
            )
            return None
        if dry_run:
            self.report.count("attachment", "imported")
            return None
        added = add_upload(image, None, alt=attachment.alt or attachment.title)
        self.report.count("attachment", "skipped" if added.existing else "imported")
        return self._remember(attachment, added.media.id)

    def _remember(self, attachment: Attachment, media_id: int) -> int:
        self.by_wp_id[attachment.wp_id] = media_id
        self.exact[attachment.path] = media_id
        self.addresses[attachment.wp_id] = f"/media/{media_id}"
        self.by_path[original_path(attachment.path)] = media_id
        return media_id

    def _data(self, attachment: Attachment) -> bytes:
        """The file's bytes: from the uploads copy, else downloaded."""
        if self.uploads is not None:
            return self._read(attachment.path)
        return fetch_image(attachment.url, limits().max_bytes)

    def _read(self, relative: str) -> bytes:
        """The file's bytes, refusing paths that leave the uploads folder."""
        assert self.uploads is not None
        target = (self.uploads / relative).resolve()
        if not relative or not target.is_relative_to(self.uploads):
            raise OSError("the path leaves the uploads folder")
        with target.open("rb") as handle:
            return handle.read(limits().max_bytes + 1)

    def site_hosts(self, *urls: str) -> None:
        """Note the exporting site's addresses (its base site and blog URLs)."""
        for url in urls:
            host = urlsplit(url or "").hostname
            if host:
                self.hosts.add(host.lower())
                self.hosts.add(urlsplit(url).netloc.lower())

    def old_site(self, *urls: str) -> None:
        """Note the old site's own addresses; its upload URLs count too."""
        self.site_hosts(*urls)
        for url in urls:
            netloc = urlsplit(url or "").netloc.lower()
            if netloc:
                self.site.add(netloc)

    def local_links(self, html: str) -> str:
        """Links to the old site's pages as paths on this one: the redirects
        table then takes readers to where each page lives now."""
        if not self.site:
            return html

        def repl(match: re.Match[str]) -> str:
            if match.group(2).lower() not in self.site:
                return match.group(0)
            return f'{match.group(1)}{match.group(3) or "/"}"'

        return _SITE_LINK.sub(repl, html)

    def rewrite(self, html: str) -> str:
        """Point every URL of an imported upload (any size) at its library image."""
        if not self.by_path:
            return html

        def repl(match: re.Match[str]) -> str:
            host, path = match.group(1), unquote(match.group(2))
            if host is not None and host.lower() not in self.hosts:
                return match.group(0)  # another site's upload, not this one's
            media_id = self.exact.get(path) or self.by_path.get(original_path(path))
            return f"/media/{media_id}" if media_id else match.group(0)

        return _UPLOAD_URL.sub(repl, html)

    def with_gallery_ids(self, wp_id: int | None, content: str) -> str:
        """A bare [gallery] shows the post's own attachments, as in WordPress."""
        children = self.children.get(wp_id or 0)
        if not children or "[gallery" not in content:
            return content
        ids = ",".join(str(i) for i in children)
        return _BARE_GALLERY.sub(f'[gallery ids="{ids}"\\1]', content)

    def cover_for(self, item: ItemRecord) -> int | None:
        """The library image of the item's featured image (_thumbnail_id)."""
        thumbnail = dict(item.meta).get("_thumbnail_id", "")
        if not (thumbnail.isascii() and thumbnail.isdecimal()):
            return None
        return self.by_wp_id.get(int(thumbnail))
