"""Folio's domain events: blinker signals sent after the change has committed.

Every signal is sent with the app as sender and keyword arguments only, once the
transaction that made the change has committed (never for a post that was
refused or rolled back). Receivers connect per app, usually when a blueprint is
registered (``comment_created.connect(receiver, sender=app)``); they do the side
effects: staff mail through the outbox today, reader notifications and plugin
hooks later. Signals notify; they do not change the event's data.
docs/plugins.md lists each one with its arguments; SIGNALS_VERSION is the
version of that list. Adding a signal or an argument keeps the version;
renaming or removing one, or changing what an argument holds, raises it.
"""

from __future__ import annotations

from blinker import Namespace

SIGNALS_VERSION = 1

_folio = Namespace()

comment_created = _folio.signal(
    "comment-created",
    doc="A comment was stored (a reader's, held, spam or approved, or a staff "
    "reply). comment=StoredComment, article=ArticleRef.",
)
comment_status_changed = _folio.signal(
    "comment-status-changed",
    doc="Staff moved a comment to another status. comment=StoredComment (its new "
    "status), article=ArticleRef, previous=CommentStatus.",
)
contact_received = _folio.signal(
    "contact-received",
    doc="A contact message was stored (spam too: see message.status). "
    "message=ContactMessage.",
)
comment_edited = _folio.signal(
    "comment-edited",
    doc="A comment's text was changed, by its author or by staff. "
    "comment=StoredComment (the new text and status), article=ArticleRef, "
    "editor_id=int | None (the staff account; None: its author).",
)
comment_removed = _folio.signal(
    "comment-removed",
    doc="A comment was removed: deleted by its author (kept as 'deleted by its "
    "author' under its replies), erased with its author's data, or deleted for "
    "good by staff. comment=StoredComment (as it was before), article=ArticleRef, "
    "reason=RemovalReason ('author', 'erasure', 'staff').",
)
article_published = _folio.signal(
    "article-published",
    doc="Staff saved an article that was not published as published (a future "
    "published_at means scheduled). article=Article.",
)
staff_signed_in = _folio.signal(
    "staff-signed-in",
    doc="A staff member signed in. user=User.",
)

# Every signal above, for code that must see them all (plugins/undo.py).
EVENTS = (
    comment_created,
    comment_status_changed,
    comment_edited,
    comment_removed,
    contact_received,
    article_published,
    staff_signed_in,
)
