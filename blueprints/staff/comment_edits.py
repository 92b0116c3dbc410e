"""Staff edits of a comment's text, with its history of earlier versions.

Each edit keeps the old text as a revision naming the editor, bumps the
article's comment-list version (readers.edits.revise) and is audited.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.readers.edits import announce_edit
from blueprints.readers.edits import revise
from blueprints.staff.access import COMMENTS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.forms import CommentEditForm
from blueprints.staff.moderation import _comment
from blueprints.staff.moderation import _row_response
from blueprints.staff.safe_next import back_to_queue
from blueprints.staff.views import bp
from models import AuditAction
from models import Comment
from models import CommentKind
from models import CommentRevision
from models import db
from storage.transactions import write_transaction
from web.htmx import render


def _history(comment_id: int) -> list[CommentRevision]:
    """A comment's earlier texts, newest first, with their editors (one query)."""
    return list(
        db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment_id)
            .options(selectinload(CommentRevision.editor))
            .order_by(CommentRevision.edited_at.desc(), CommentRevision.id.desc())
        )
    )


def _editable(comment_id: int) -> Comment:
    """The comment whose text staff may edit: a comment, not deleted or erased; else 404."""
    comment = _comment(comment_id)
    if comment.removed_at is not None or comment.kind != CommentKind.COMMENT:
        abort(404)
    return comment


def _edit_row(comment: Comment, form: CommentEditForm, here: str, status: int = 200):
    """The row with the edit form and the history (the whole page without htmx)."""
    return render(
        "staff/comment_edit.html",
        "staff/_comment_edit.html",
        status,
        comment=comment,
        form=form,
        here=here,
        history=_history(comment.id),
    )


@bp.get("/comments/<int:comment_id>/edit")
@role_required(COMMENTS)
def comment_edit_form(comment_id: int):
    """The form to edit a comment's text, with its earlier versions."""
    comment = _editable(comment_id)
    here = back_to_queue()
    form = CommentEditForm(prefix=f"edit-{comment_id}", body=comment.body)
    return _edit_row(comment, form, here)


@bp.post("/comments/<int:comment_id>/edit")
@role_required(COMMENTS)
def comment_edit(comment_id: int):
    """Store a staff edit: the old text kept in the history, the edit audited."""
    form = CommentEditForm(prefix=f"edit-{comment_id}")
    here = back_to_queue()
    if not form.validate_on_submit():
        return _edit_row(_editable(comment_id), form, here, 422)
    with write_transaction():
        comment = _editable(comment_id)
        changed = form.body.data != comment.body
        if changed:
            revise(comment, form.body.data, editor_id=current_user.id)
            record(
                AuditAction.COMMENT_EDITED,
                detail=f"comment {comment.id} on “{comment.article.title}”",
            )
    if changed:
        announce_edit(comment, editor_id=current_user.id)
    return _row_response(comment, f"Comment by {comment.author_name} saved.")
