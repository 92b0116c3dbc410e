"""The map of what each imported piece became: re-running an import adds nothing."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert
from sqlalchemy import select

from models import Article
from models import ImportedId
from models import Media
from models import Tag
from models import User
from models import db

# The ids of a million comments are looked up in chunks of this many.
CHUNK = 500
# What each kind of piece became (comments are looked up per post).
TARGETS = {"post": Article, "attachment": Media, "term": Tag, "author": User}


class ImportedIds:
    """Folio ids of one source's imported pieces, by kind and source id.

    Small kinds (authors, terms, posts, attachments) are read once, whole;
    comments are looked up per post, for the comment ids that post holds.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._known: dict[tuple[str, str], int] = {}
        # Pieces imported before whose row staff have deleted since.
        self._gone: set[tuple[str, str]] = set()
        for kind, model in TARGETS.items():
            rows = db.session.execute(
                select(ImportedId.source_id, ImportedId.target_id, model.id)
                .outerjoin(model, model.id == ImportedId.target_id)
                .where(ImportedId.source == source, ImportedId.kind == kind)
            )
            for source_id, target_id, found in rows:
                if found is None:
                    self._gone.add((kind, source_id))
                else:
                    self._known[(kind, source_id)] = target_id

    def get(self, kind: str, source_id: object) -> int | None:
        """The Folio id the piece became, or None when it was not imported."""
        return self._known.get((kind, str(source_id)))

    def gone(self, kind: str, source_id: object) -> bool:
        """True when the piece was imported and its row deleted since: a
        re-run leaves it deleted."""
        return (kind, str(source_id)) in self._gone

    def add(self, kind: str, source_id: object, target_id: int) -> None:
        """Record (in the current transaction) what one piece became."""
        self.add_many(kind, [(source_id, target_id)])

    def add_many(self, kind: str, pairs: Iterable[tuple[object, int]]) -> None:
        """Record many pieces of one kind at once (one statement)."""
        rows = [
            {
                "source": self.source,
                "kind": kind,
                "source_id": str(source_id),
                "target_id": target_id,
            }
            for source_id, target_id in pairs
        ]
        if not rows:
            return
        # Core, not the ORM's bulk insert: a million comment ids go through here.
        db.session.execute(insert(ImportedId.__table__), rows)
        if kind != "comment":
            for row in rows:
                self._known[(kind, row["source_id"])] = row["target_id"]

    def forget_unsaved(self, kind: str, source_ids: Iterable[object]) -> None:
        """Drop pieces recorded in a transaction that was then rolled back."""
        for source_id in source_ids:
            self._known.pop((kind, str(source_id)), None)

    def comments(self, source_ids: list[int]) -> dict[int, int]:
        """Which of these comment ids were imported already, and as what."""
        found: dict[int, int] = {}
        keys = [str(i) for i in source_ids]
        for start in range(0, len(keys), CHUNK):
            rows = db.session.execute(
                select(ImportedId.source_id, ImportedId.target_id).where(
                    ImportedId.source == self.source,
                    ImportedId.kind == "comment",
                    ImportedId.source_id.in_(keys[start : start + CHUNK]),
                )
            )
            found.update((int(s), t) for s, t in rows)
        return found
