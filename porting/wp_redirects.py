"""The old WordPress addresses an import answers with a 301 (the redirects table)."""

from __future__ import annotations

from urllib.parse import unquote
from urllib.parse import urlsplit

from flask import url_for
from sqlalchemy import select

from models import Redirect
from models import db

MAX_PATH = 500
SOURCE = "wordpress"


def old_path(link: str) -> str | None:
    """The path of an absolute WordPress link (decoded, as Flask sees requests)."""
    parts = urlsplit(link or "")
    if parts.query:
        # A link kept as ?p=12 is added by its id (Redirects.item).
        return None
    path = unquote(parts.path)
    return path if path.startswith("/") and path not in ("", "/") else None


class Redirects:
    """Collects old → new addresses; each is written once, never over another."""

    def __init__(self) -> None:
        self._pending: dict[str, str] = {}

    def add(self, path: str | None, target: str) -> None:
        """Note that path (an old address) now lives at target."""
        if not path or len(path) > MAX_PATH or path.rstrip("/") == target.rstrip("/"):
            return
        self._pending.setdefault(path, target)

    def item(self, wp_id: int | None, link: str, is_page: bool, target: str) -> None:
        """An imported post's or page's old permalink and its ?p= / ?page_id= link."""
        self.add(old_path(link), target)
        if wp_id:
            self.add(f"/?{'page_id' if is_page else 'p'}={wp_id}", target)
            if is_page:
                self.add(f"/?p={wp_id}", target)

    def term(self, taxonomy: str, slug: str, tag_slug: str) -> None:
        """A category's or tag's old archive address."""
        base = "category" if taxonomy == "category" else "tag"
        target = url_for("articles.tag", slug=tag_slug)
        self.add(f"/{base}/{unquote(slug)}/", target)

    def feeds(self) -> None:
        """WordPress's feed addresses, to Folio's feed."""
        target = url_for("articles.feed")
        for path in ("/feed/", "/?feed=rss2", "/?feed=atom", "/feed/atom/", "/rss/"):
            self.add(path, target)

    def write(self) -> int:
        """Store the noted redirects whose old address is not taken; how many."""
        if not self._pending:
            return 0
        paths = list(self._pending)
        taken: set[str] = set()
        for start in range(0, len(paths), 500):
            taken.update(
                db.session.scalars(
                    select(Redirect.path).where(
                        Redirect.path.in_(paths[start : start + 500])
                    )
                )
            )
        new = [
            Redirect(path=path, target=target, source=SOURCE)
            for path, target in self._pending.items()
            if path not in taken
        ]
        db.session.add_all(new)
        self._pending.clear()
        return len(new)
