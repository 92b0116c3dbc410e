"""The moderation queue: tabs with live counts, row actions, replies, bulk actions."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import flash
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.comments.moderation import StatusChange
from blueprints.comments.moderation import announce_changes
from blueprints.comments.records import ArticleRef
from blueprints.comments.removals import Removal
from blueprints.comments.removals import RemovalReason
from blueprints.comments.removals import announce_removals
from blueprints.staff.access import COMMENTS
from blueprints.staff.access import role_required
from blueprints.staff.forms import ReplyForm
from blueprints.staff.forms import clean_search
from blueprints.staff.moderation_actions import DELETABLE
from blueprints.staff.moderation_actions import LABELS
from blueprints.staff.moderation_actions import TRANSITIONS
from blueprints.staff.moderation_actions import actions_for
from blueprints.staff.moderation_actions import apply_action
from blueprints.staff.moderation_actions import delete_comment
from blueprints.staff.moderation_actions import post_staff_reply
from blueprints.staff.paging import page_arg
from blueprints.staff.safe_next import back_to_queue
from blueprints.staff.safe_next import safe_next
from blueprints.staff.views import bp
from blueprints.subscriptions.notices import note
from blueprints.subscriptions.notices import note_changes
from models import Article
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import User
from models import db
from signals import comment_created
from storage.capped_count import capped
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

PER_PAGE = 20
TABS = [status.value for status in CommentStatus]
MAX_BULK = 200


def queue_counts() -> dict[str, int]:
    """Comments per status, for the tab labels (one query, each count capped)."""
    row = db.session.execute(
        select(
            *(
                capped(select(Comment.id).where(Comment.status == CommentStatus(tab)))
                for tab in TABS
            )
        )
    ).one()
    return dict(zip(TABS, row, strict=True))


def _queue_args() -> tuple[str, str, int]:
    """The tab, search and page a queue request asks for (query or form)."""
    values = request.values
    tab = values.get("tab", CommentStatus.PENDING.value)
    if tab not in TABS:
        tab = CommentStatus.PENDING.value
    return tab, clean_search(values.get("q")), page_arg(values)


def _queue_context(tab: str, q: str, page_number: int) -> dict:
    """Everything staff/_queue.html needs."""
    query = (
        select(Comment)
        .join(Comment.article)
        .where(Comment.status == CommentStatus(tab))
        .options(
            selectinload(Comment.article),
            selectinload(Comment.staff_author),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    if q:
        query = query.where(
            or_(
                Comment.author_name.icontains(q, autoescape=True),
                Comment.author_email.icontains(q, autoescape=True),
                Comment.body.icontains(q, autoescape=True),
                Article.title.icontains(q, autoescape=True),
            )
        )
    page = db.paginate(
        query, page=page_number, per_page=PER_PAGE, error_out=False, count=False
    )
    # The total, capped: the join to articles only when the search needs it.
    counted = (
        query if q else select(Comment.id).where(Comment.status == CommentStatus(tab))
    )
    page.total = db.session.scalar(select(capped(counted)))
    return {
        "page": page,
        "tab": tab,
        "q": q,
        "counts": queue_counts(),
        "here": url_for("staff.comments", tab=tab, q=q or None, page=page_number),
        "actions_for": actions_for,
        "labels": LABELS,
        "deletable": DELETABLE,
    }


@bp.get("/comments")
@role_required(COMMENTS)
def comments():
    """The moderation queue: one tab, searched and paginated."""
    return render(
        "staff/comments.html", "staff/_queue.html", **_queue_context(*_queue_args())
    )


def _row_response(comment: Comment | None, message: str, status: int = 200, **ctx):
    """For htmx: the changed row (or nothing) plus the new counts and a notice.

    For a plain POST: back to the queue page the form came from.
    """
    here = back_to_queue()
    if not wants_fragment():
        flash(message, "success" if status < 400 else "error")
        return see_other(here)
    query = parse_qs(urlsplit(here).query)
    return render(
        "staff/_comment_action.html",
        "staff/_comment_action.html",
        status,
        comment=comment,
        message=message,
        counts=queue_counts(),
        here=here,
        tab=query.get("tab", [CommentStatus.PENDING.value])[0],
        q=query.get("q", [""])[0],
        actions_for=actions_for,
        labels=LABELS,
        deletable=DELETABLE,
        **ctx,
    )


def _comment(comment_id: int) -> Comment:
    """A comment with what its row shows."""
    comment = db.session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(selectinload(Comment.article), selectinload(Comment.staff_author))
    )
    if comment is None:
        abort(404)
    return comment


def _repliable(comment_id: int) -> Comment:
    """A comment staff may reply to: a pingback or a trackback takes no replies."""
    comment = _comment(comment_id)
    if comment.kind != CommentKind.COMMENT:
        abort(404)
    return comment


@bp.post("/comments/<int:comment_id>/<action>")
@role_required(COMMENTS)
def comment_action(comment_id: int, action: str):
    """Approve, unapprove, spam, not spam, trash or restore one comment."""
    if action not in TRANSITIONS:
        abort(404)
    with write_transaction() as transaction:
        comment = _comment(comment_id)
        user = db.session.get(User, current_user.id)
        change = apply_action(comment, action, user)
        note_changes([change])
        if change is None:
            transaction.rollback()
            return _row_response(
                _comment(comment_id),
                f"“{LABELS[action]}” does not apply to a comment in "
                f"{comment.status.value.capitalize()}.",
                409,
            )
    announce_changes([change])
    message = f"Comment by {comment.author_name}: {comment.status.value}."
    return _row_response(comment, message)


@bp.get("/comments/<int:comment_id>/delete")
@role_required(COMMENTS)
def comment_delete_confirm(comment_id: int):
    """Ask before deleting a comment for good (only from Spam or Trash)."""
    comment = _comment(comment_id)
    if comment.status not in DELETABLE:
        abort(400)
    here = safe_next(request.args.get("next")) or url_for(
        "staff.comments", tab=comment.status.value
    )
    return render(
        "staff/comment_confirm.html",
        "staff/_comment_confirm.html",
        comment=comment,
        here=here,
    )


@bp.post("/comments/<int:comment_id>/delete")
@role_required(COMMENTS)
def comment_delete(comment_id: int):
    """Delete a spam or trashed comment permanently."""
    with write_transaction() as transaction:
        comment = _comment(comment_id)
        if comment.status not in DELETABLE:
            transaction.rollback()
            return _row_response(
                comment, "Only comments in Spam or Trash can be deleted.", 409
            )
        author = comment.author_name
        gone = delete_comment(comment)
    announce_removals([gone], RemovalReason.STAFF)
    return _row_response(None, f"Comment by {author} deleted permanently.")


@bp.get("/comments/<int:comment_id>/reply")
@role_required(COMMENTS)
def comment_reply_form(comment_id: int):
    """The inline form for a staff reply."""
    comment = _repliable(comment_id)
    here = back_to_queue()
    return _reply_row(comment, ReplyForm(prefix=f"reply-{comment_id}"), here)


def _reply_row(comment: Comment, form: ReplyForm, here: str, status: int = 200):
    """A comment's row with the inline reply form (the whole page without htmx)."""
    return render(
        "staff/comment_reply.html",
        "staff/_comment_row.html",
        status,
        comment=comment,
        reply_form=form,
        here=here,
        actions_for=actions_for,
        labels=LABELS,
        deletable=DELETABLE,
    )


@bp.post("/comments/<int:comment_id>/reply")
@role_required(COMMENTS)
def comment_reply(comment_id: int):
    """Post a staff reply under a comment: approved at once, shown as staff."""
    form = ReplyForm(prefix=f"reply-{comment_id}")
    here = back_to_queue()
    if not form.validate_on_submit():
        return _reply_row(_repliable(comment_id), form, here, 422)
    with write_transaction():
        comment = _repliable(comment_id)
        user = db.session.get(User, current_user.id)
        reply = post_staff_reply(comment, user, form.body.data)
        article = ArticleRef.from_row(comment.article)
        note([reply])
    comment_created.send(
        current_app._get_current_object(), comment=reply, article=article
    )
    return _row_response(comment, f"Your reply to {comment.author_name} is published.")


@bp.post("/comments/bulk")
@role_required(COMMENTS)
def comments_bulk():
    """Apply one action to every checked comment it applies to."""
    action = request.form.get("action", "")
    if action not in TRANSITIONS and action != "delete":
        abort(400)
    try:
        ids = [int(value) for value in request.form.getlist("ids")][:MAX_BULK]
    except ValueError:
        abort(400)
    if action == "delete" and request.form.get("confirm") != "yes":
        return _bulk_confirm(ids)
    with write_transaction():
        done, changes, removed = _bulk_apply(action, ids)
        note_changes(changes)  # one query for the subscriptions of them all
    announce_changes(changes)
    announce_removals(removed, RemovalReason.STAFF)
    label = "Delete permanently" if action == "delete" else LABELS[action]
    message = f"{label}: {done} of {len(ids)} comment{'s' if len(ids) != 1 else ''}."
    tab, q, page = _queue_args()
    if not wants_fragment():
        flash(message, "success")
        return see_other(url_for("staff.comments", tab=tab, q=q or None, page=page))
    context = _queue_context(tab, q, page)
    return render(
        "staff/comments.html", "staff/_queue_changed.html", message=message, **context
    )


def _bulk_apply(
    action: str, ids: list[int]
) -> tuple[int, list[StatusChange], list[Removal]]:
    """Apply action to the comments it applies to: how many, the status
    changes and the removals."""
    user = db.session.get(User, current_user.id)
    chosen = db.session.scalars(
        select(Comment)
        .where(Comment.id.in_(ids))
        .options(selectinload(Comment.article))
    ).all()
    done, changes, removed = 0, [], []
    for comment in chosen:
        if action == "delete":
            if comment.status in DELETABLE:
                removed.append(delete_comment(comment))
                done += 1
        elif change := apply_action(comment, action, user):
            changes.append(change)
            done += 1
    return done, changes, removed


def _bulk_confirm(ids: list[int]):
    """Ask before deleting checked comments; only Spam and Trash ones count."""
    tab, q, page = _queue_args()
    chosen = db.session.scalars(
        select(Comment)
        .where(Comment.id.in_(ids), Comment.status.in_(DELETABLE))
        .order_by(Comment.id)
    ).all()
    return render(
        "staff/comments_bulk_confirm.html",
        "staff/_bulk_confirm.html",
        chosen=chosen,
        tab=tab,
        q=q,
        page=page,
    )
