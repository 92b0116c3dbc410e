"""WordPress comments, every one, with its thread and its state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from models import Comment
from models import CommentKind
from models import CommentStatus
from models import db
from models import utcnow
from porting.import_ids import ImportedIds
from porting.import_report import ImportReport
from porting.wp_authors import Authors
from porting.wp_comment_text import comment_text
from porting.wxr_records import CommentRecord
from web.form_guard import hash_ip

STATUSES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.TRASH,
}
KINDS = {
    "pingback": CommentKind.PINGBACK,
    "trackback": CommentKind.TRACKBACK,
    "": CommentKind.COMMENT,
    "comment": CommentKind.COMMENT,
}

# A post with tens of thousands of comments is inserted this many rows at a
# time, so the rows being built stay small.
ROWS_PER_INSERT = 1000


def posted_at(record: CommentRecord) -> datetime:
    """When the comment was posted: its GMT date, else its local one read as UTC."""
    if record.date_gmt is not None:
        return record.date_gmt
    if record.date is not None:
        return record.date.replace(tzinfo=UTC)
    return utcnow()


def _url(value: str) -> str:
    """The commenter's website when it is an http(s) address, else nothing."""
    value = (value or "").strip()
    ok = urlsplit(value).scheme.lower() in ("http", "https") and len(value) <= 200
    return value if ok else ""


class Threads:
    """Where each comment of one post goes: its parent and depth in Folio."""

    def __init__(
        self,
        records: Sequence[CommentRecord],
        report: ImportReport,
        earlier: frozenset[int] = frozenset(),
    ) -> None:
        self.report = report
        self.by_id = {r.wp_id: r for r in records}
        # Parents imported before (a post's comments split over repeated items).
        self.earlier = earlier
        self.max_depth = max(1, int(current_app.config["COMMENTS_MAX_DEPTH"]))

    def wp_depth(self, record: CommentRecord) -> int:
        """How deep the comment sits in the file's thread (0: top level)."""
        depth, seen, current = 0, {record.wp_id}, record
        while current.parent_wp_id:
            parent = self.by_id.get(current.parent_wp_id)
            if parent is None or parent.wp_id in seen:
                break
            seen.add(parent.wp_id)
            depth, current = depth + 1, parent
        return depth

    def parent_of(self, record: CommentRecord) -> int | None:
        """The wp id of the comment's parent, when the file holds it."""
        parent = record.parent_wp_id
        if parent and parent not in self.by_id and parent not in self.earlier:
            self.report.warn(
                "comment",
                record.wp_id,
                f"parent {parent} is not in the file: top level",
            )
            return None
        if parent == record.wp_id:
            return None
        return parent

    def attach(
        self, parent: tuple[int, int | None, int] | None
    ) -> tuple[int | None, int]:
        """Folio parent id and depth under parent (id, parent id, depth), capped."""
        if parent is None:
            return None, 0
        folio_id, grandparent, depth = parent
        if depth + 1 >= self.max_depth:
            return grandparent, depth
        return folio_id, depth + 1


def import_comments(
    article_id: int,
    records: Sequence[CommentRecord],
    ids: ImportedIds,
    authors: Authors,
    report: ImportReport,
) -> int:
    """Insert the post's comments not imported before, parents first; how many."""
    if not records:
        return 0
    batch = {r.wp_id for r in records if r.wp_id}
    known = ids.comments(list(batch))
    report.count("comment", "skipped", len(known))
    outside = {r.parent_wp_id for r in records if r.parent_wp_id} - batch
    earlier = ids.comments(list(outside)) if outside else {}
    placed = _placed({**known, **earlier})
    threads = Threads(records, report, frozenset(placed))
    todo = [r for r in records if r.wp_id not in known]
    levels: dict[int, list[CommentRecord]] = {}
    for record in todo:
        levels.setdefault(threads.wp_depth(record), []).append(record)
    added = 0
    for depth in sorted(levels):
        level = levels[depth]
        for start in range(0, len(level), ROWS_PER_INSERT):
            added += _insert_level(
                article_id,
                level[start : start + ROWS_PER_INSERT],
                threads,
                placed,
                ids,
                authors,
                report,
            )
    return added


def _placed(known: dict[int, int]) -> dict[int, tuple[int, int | None, int]]:
    """Already imported comments by wp id: (Folio id, parent id, depth)."""
    if not known:
        return {}
    by_folio = {folio: wp for wp, folio in known.items()}
    rows = db.session.execute(
        select(Comment.id, Comment.parent_id, Comment.depth).where(
            Comment.id.in_(list(by_folio))
        )
    )
    return {by_folio[row.id]: (row.id, row.parent_id, row.depth) for row in rows}


def _insert_level(article_id, records, threads, placed, ids, authors, report) -> int:
    """Comments of one thread level in one statement; they become parents next."""
    rows = []
    for record in records:
        parent = threads.parent_of(record)
        parent_id, depth = threads.attach(placed.get(parent) if parent else None)
        rows.append(_row(article_id, record, parent_id, depth, authors, report))
    new_ids = _insert_rows(rows)
    for record, row, new_id in zip(records, rows, new_ids, strict=True):
        placed[record.wp_id] = (new_id, row["parent_id"], row["depth"])
    ids.add_many(
        "comment",
        [(r.wp_id, i) for r, i in zip(records, new_ids, strict=True) if r.wp_id],
    )
    report.count("comment", "imported", len(rows))
    return len(rows)


def _insert_rows(rows: list[dict]) -> list[int]:
    """Insert the comment rows in one statement; their new ids, in order."""
    table = Comment.__table__
    if db.session.get_bind().dialect.name != "sqlite":
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(db.session.execute(returning, rows).scalars())
    # SQLite cannot say in which order a many-row INSERT returned its ids, so
    # SQLAlchemy would send one INSERT per row. Under the write lock the ids
    # SQLite would give are known: the largest so far, plus one per row.
    last = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    new_ids = list(range(last + 1, last + 1 + len(rows)))
    db.session.execute(
        insert(table), [row | {"id": i} for row, i in zip(rows, new_ids, strict=True)]
    )
    return new_ids


def _row(article_id, record, parent_id, depth, authors, report) -> dict:
    status = STATUSES.get(record.approved.strip().lower())
    if status is None:
        report.warn(
            "comment",
            record.wp_id,
            f"state {record.approved!r} unknown: held for moderation",
        )
        status = CommentStatus.PENDING
    kind = KINDS.get(record.comment_type.strip().lower())
    if kind is None:
        report.note(f"comments of type {record.comment_type!r} kept as comments")
        kind = CommentKind.COMMENT
    return {
        "article_id": article_id,
        "parent_id": parent_id,
        "depth": depth,
        "kind": kind,
        "author_name": (record.author.strip() or "Anonymous")[:245],
        # Lower-cased as the comment form does: moderation compares addresses.
        "author_email": record.author_email.strip().lower()[:100],
        "author_url": _url(record.author_url),
        "body": comment_text(record.content),
        "status": status,
        "status_reason": f"imported from WordPress ({record.approved or 'no state'})"[
            :200
        ],
        "created_at": posted_at(record),
        "ip": hash_ip(record.author_ip.strip()),
        "user_agent": dict(record.meta).get("_wp_user_agent", "")[:255],
        "staff_author_id": authors.for_wp_user(record.user_id),
    }
