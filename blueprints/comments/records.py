"""A stored comment and its article as frozen values: what posting returns and
what the comment signals carry.

The busiest write path (a reader's post) runs Core statements and never builds
ORM objects, and a receiver runs after commit, when ORM objects are expired; so
the comment events carry these snapshots, built from a row or from the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields
from datetime import datetime
from typing import Any

from models import ArticleKind
from models import CommentKind
from models import CommentStatus


@dataclass(frozen=True)
class ArticleRef:
    """The article a comment belongs to: its settings and count, not its text."""

    id: int
    slug: str
    title: str
    comments_open: bool
    published_at: datetime | None
    comment_count: int
    comments_version: int
    # An article or a page: where its comments are read (articles.page.reader_url).
    kind: ArticleKind = ArticleKind.ARTICLE
    # Whether anyone follows the article or a thread on it (every subscription
    # names its article): reply notices are looked for only then. Unknown
    # (an Article has no such column) counts as yes.
    has_followers: bool = True

    @classmethod
    def from_row(cls, row: Any) -> ArticleRef:
        """Build from an Article or a row with the same columns (has_followers
        optional)."""
        return cls(
            **{
                f.name: getattr(row, f.name)
                for f in fields(cls)
                if hasattr(row, f.name)
            }
        )


@dataclass(frozen=True)
class StoredComment:
    """A comment as stored: the columns responses, mails and receivers use."""

    id: int
    article_id: int
    parent_id: int | None
    depth: int
    author_name: str
    author_email: str
    author_url: str
    body: str
    status: CommentStatus
    status_reason: str
    created_at: datetime
    staff_author_id: int | None = None
    kind: CommentKind = CommentKind.COMMENT

    @classmethod
    def from_row(cls, row: Any) -> StoredComment:
        """Build from a Comment or a row with the same columns."""
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})
