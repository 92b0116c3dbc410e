"""WordPress categories and tags to Folio tags, merged by slug."""

from __future__ import annotations

from urllib.parse import unquote

from slugify import slugify
from sqlalchemy import select

from models import Tag
from models import db
from porting.import_ids import ImportedIds
from porting.import_report import ImportReport

# The taxonomies that become tags; others (menus, post formats) are counted.
TAG_TAXONOMIES = {"category": "category", "post_tag": "tag", "tag": "tag"}
MAX_NAME = 64
MAX_SLUG = 80


def tag_slug(slug: str, name: str) -> str:
    """A Folio tag slug for a WordPress term slug (percent-decoded) or its name."""
    return slugify(unquote(slug or ""), max_length=MAX_SLUG) or slugify(
        name or "", max_length=MAX_SLUG
    )


class Terms:
    """Folio tag ids for WordPress terms, made on first sight.

    A category and a tag with the same slug become one tag, as do the
    duplicate wp:category/wp:tag and wp:term entries of WordPress's exporter.
    """

    def __init__(self, ids: ImportedIds, report: ImportReport) -> None:
        self.ids = ids
        self.report = report
        self._tags: dict[str, int] = {}
        self._seen: set[tuple[str, str]] = set()

    def declare(
        self, taxonomy: str, slug: str, name: str, parent: str = "", wp_id=None
    ) -> int | None:
        """The tag for a term of a taxonomy (None: a taxonomy that is not tags)."""
        kind = TAG_TAXONOMIES.get(taxonomy)
        if kind is None:
            if (taxonomy, slug) not in self._seen:
                self._seen.add((taxonomy, slug))
                self.report.count("term", "skipped")
            return None
        folio_slug = tag_slug(slug, name)
        if not folio_slug:
            self.report.warn(kind, wp_id, f"term {name!r} has no usable slug: skipped")
            return None
        if self.ids.gone("term", folio_slug):
            return None  # deleted in Folio since it was imported: stays so
        first = (kind, folio_slug) not in self._seen
        self._seen.add((kind, folio_slug))
        tag_id = self._tag(folio_slug, name, kind)
        if first and parent:
            self.report.note("category parents flattened")
        return tag_id

    def _tag(self, slug: str, name: str, kind: str) -> int:
        if slug in self._tags:
            return self._tags[slug]
        tag_id = self.ids.get("term", slug)
        if tag_id is None:
            tag_id = db.session.scalar(select(Tag.id).where(Tag.slug == slug))
            if tag_id is not None:
                self.report.count(kind, "skipped")
                self.report.note(f"{kind}s merged into an existing tag")
        if tag_id is None:
            tag = Tag(name=(name or slug).strip()[:MAX_NAME], slug=slug)
            db.session.add(tag)
            db.session.flush()
            tag_id = tag.id
            self.ids.add("term", slug, tag_id)
            self.report.count(kind, "converted" if kind == "category" else "imported")
        self._tags[slug] = tag_id
        return tag_id

    def reset(self) -> None:
        """Forget ids made in a transaction that was rolled back."""
        self._tags.clear()
        self._seen.clear()
