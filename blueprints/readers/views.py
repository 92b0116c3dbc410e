"""Your comments: a reader asks for a mailed link, opens it, and then sees,
edits, deletes, downloads or erases what they wrote, with no account.

A link opens a one-hour reader session (session.py). Right after posting, the
browser's signed list of its recent comments (comments.cookies) proves
authorship for editing too.
"""

from __future__ import annotations

import enum
import json

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import request
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.articles.page import reader_url
from blueprints.comments.cookies import add_held_comment
from blueprints.comments.cookies import forget_recent_comments
from blueprints.comments.cookies import proves
from blueprints.comments.cookies import recent_comments_kept
from blueprints.comments.edit_window import edit_window_open
from blueprints.comments.moderation import announce_changes
from blueprints.comments.records import ArticleRef
from blueprints.comments.removals import RemovalReason
from blueprints.comments.removals import announce_removals
from blueprints.comments.removals import removal
from blueprints.comments.removals import removals_by_email
from blueprints.comments.section import ThreadComment
from blueprints.comments.section import comments_are_open
from blueprints.readers import links
from blueprints.readers import session
from blueprints.readers.edits import announce_edit
from blueprints.readers.edits import delete_by_author
from blueprints.readers.edits import edit_by_author
from blueprints.readers.edits import edit_votes
from blueprints.readers.erasure import erase
from blueprints.readers.export import export
from blueprints.readers.forms import ConfirmForm
from blueprints.readers.forms import EditForm
from blueprints.readers.forms import LinkRequestForm
from extensions import limiter
from mail.outbox import enqueue
from models import Comment
from models import db
from storage.transactions import write_transaction
from web.errors import error_response
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment
from web.urls import absolute_url

bp = Blueprint("readers", __name__)

# Per client: a few links an hour is plenty for one person.
REQUEST_LIMIT = "5 per hour"
PER_PAGE = 20
SENT = (
    "If that address has comments here, we sent it a link. "
    "Open it within {minutes} minutes; it works once."
)
RATE_LIMITED = (
    "You asked for links too often from this connection. Wait an hour, then try again."
)
NO_SESSION = (
    "Your link has not been opened in this browser, or it was over an hour ago. "
    "Ask for a new link on the “Your comments” page."
)
LINK_PROBLEMS = {
    links.LinkProblem.FORGED: (400, "This link is not valid. Ask for a new one."),
    links.LinkProblem.EXPIRED: (410, "This link has expired. Ask for a new one."),
    links.LinkProblem.USED: (410, "This link was already used. Ask for a new one."),
}
WINDOW_CLOSED = "The time to edit this comment has passed, so it was not changed."
MAIL_SUBJECT = "Your comments on {site}"
MAIL_BODY = """Someone, probably you, asked for a link to the comments left with
this address on {site}.

Open this link within {minutes} minutes (it works once):
{url}

If it was not you, ignore this mail: nothing changes.
"""


class Place(enum.Enum):
    """Where a comment being edited is shown: the reader's list or its article."""

    LIST = "list"
    ARTICLE = "article"


def _place() -> Place:
    try:
        return Place(request.args.get("on", "list"))
    except ValueError:
        return Place.LIST


def _minutes() -> int:
    return int(current_app.config["READER_LINK_MINUTES"])


@bp.get("/your-comments")
def start():
    """The "Your comments" page: ask for a link by email."""
    return render("readers/start.html", "readers/_request.html", form=LinkRequestForm())


@bp.get("/your-comments/sent")
def sent():
    """The same answer to every request, for the page without JavaScript."""
    return render(
        "readers/start.html",
        "readers/_request.html",
        form=LinkRequestForm(formdata=None),
        message=SENT.format(minutes=_minutes()),
    )


@bp.post("/your-comments")
@limiter.limit(REQUEST_LIMIT)
def request_link():
    """Mail a link when the daily limit allows; the same answer either way."""
    form = LinkRequestForm()
    if not form.validate():
        return render("readers/start.html", "readers/_request.html", 422, form=form)
    with write_transaction():
        token = links.issue(form.email.data)
        if token is not None:
            _mail_link(form.email.data, token)
    if wants_fragment():
        return sent()
    return see_other(url_for("readers.sent"))


def _mail_link(email: str, token: str) -> None:
    """Queue the link's mail (the caller commits)."""
    site = current_app.config["SITE_TITLE"]
    url = absolute_url("readers.open_link", token=token)
    enqueue(
        [email],
        MAIL_SUBJECT.format(site=site),
        MAIL_BODY.format(site=site, minutes=_minutes(), url=url),
    )


@bp.errorhandler(429)
def rate_limited(exc):
    """Too many link requests from this client: say so, on the page."""
    form = LinkRequestForm()
    response = render(
        "readers/start.html",
        "readers/_request.html",
        429,
        form=form,
        error=RATE_LIMITED,
    )
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.get("/your-comments/link/<token>")
def open_link(token: str):
    """The page a mailed link opens: a button, since mail scanners fetch links."""
    found = links.read(token)
    if isinstance(found, links.LinkProblem):
        return error_response(*LINK_PROBLEMS[found])
    return render("readers/open.html", "readers/open.html", form=ConfirmForm())


@bp.post("/your-comments/link/<token>")
def use_link(token: str):
    """Use the link once and start a reader session."""
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    with write_transaction():
        check = links.use(token)
    if check.problem is not None:
        return error_response(*LINK_PROBLEMS[check.problem])
    response = see_other(url_for("readers.mine"))
    session.start(response, check.email)
    return response


def _reader() -> str:
    """The address of this browser's reader session, or a 403 page."""
    email = session.reader_email()
    if email is None:
        abort(error_response(403, NO_SESSION))
    return email


@bp.get("/your-comments/mine")
def mine():
    """The reader's comments, newest first, a page at a time."""
    email = _reader()
    query = (
        select(Comment)
        .options(joinedload(Comment.article))
        .where(Comment.author_email == email)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    response = render(
        "readers/mine.html",
        "readers/mine.html",
        page=page,
        form=ConfirmForm(),
        window_open=edit_window_open,
        # After a plain edit that sent the comment back to moderation.
        sent_back_id=request.args.get("held", type=int),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _own(comment_id: int, recent_proves: bool = False) -> Comment:
    """The comment, if this browser proves it is its author's; else 403/404."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.removed_at is not None:
        abort(404)
    email = session.reader_email()
    if email and email == comment.author_email:
        return comment
    if recent_proves and proves(recent_comments_kept(), comment):
        return comment
    abort(403)


def _edit_answer(comment: Comment, form: EditForm, status: int = 200) -> Response:
    """The edit form: inline for htmx, a page otherwise."""
    return render(
        "readers/edit.html",
        "readers/_edit.html",
        status,
        comment=comment,
        form=form,
        place=_place().value,
    )


@bp.get("/your-comments/<int:comment_id>/edit")
def edit(comment_id: int):
    """The form to change a comment's text, while the edit window is open."""
    comment = _own(comment_id, recent_proves=True)
    if not edit_window_open(comment):
        return error_response(403, WINDOW_CLOSED)
    return _edit_answer(comment, EditForm(body=comment.body))


@bp.post("/your-comments/<int:comment_id>/edit")
def save(comment_id: int):
    """Store an edit: the old text kept, the moderation rules run again."""
    form = EditForm()
    valid = form.validate()
    # The plugins' spam checks may ask a service: before the write lock.
    editable = _own(comment_id, recent_proves=True)
    asked = valid and edit_window_open(editable)
    votes = edit_votes(editable, form.body.data) if asked else []
    with write_transaction():
        comment = _own(comment_id, recent_proves=True)
        if not edit_window_open(comment):
            db.session.rollback()
            return error_response(403, WINDOW_CLOSED)
        if not valid:
            db.session.rollback()
            return _edit_answer(comment, form, 422)
        change = edit_by_author(comment, form.body.data, votes)
        answer = _saved(comment, sent_back=change is not None)
    if change is not None:
        # Held again: this browser keeps showing it to its author, marked so.
        add_held_comment(answer, comment)
        announce_changes([change])
    announce_edit(comment, editor_id=None)
    return answer


def _saved(comment: Comment, sent_back: bool) -> Response:
    """After an edit: the comment again (htmx), or back where the reader was.

    sent_back: the edit sent the comment (back) to moderation, which is said.
    """
    place = _place()
    if not wants_fragment():
        if place is Place.ARTICLE:
            return see_other(
                reader_url(comment.article, _anchor=f"comment-{comment.id}")
            )
        return see_other(
            url_for("readers.mine", held=comment.id if sent_back else None)
        )
    if place is Place.ARTICLE:
        article = ArticleRef.from_row(comment.article)
        return render(
            "readers/edit.html",
            "comments/_card.html",
            comment=ThreadComment.from_row(comment),
            article=article,
            comments_open=comments_are_open(article),
            focus_new=True,
            card_focus=True,
            sent_back=sent_back,
            editable_ids=(comment.id,) if edit_window_open(comment) else (),
        )
    return render(
        "readers/mine.html",
        "readers/_item.html",
        comment=comment,
        form=ConfirmForm(),
        window_open=edit_window_open,
        focus=True,
        sent_back=sent_back,
    )


@bp.post("/your-comments/<int:comment_id>/delete")
def delete(comment_id: int):
    """Delete a comment (kept as "deleted by its author" when it has replies)."""
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    with write_transaction():
        comment = _own(comment_id)
        gone = removal(comment)
        delete_by_author(comment)
    announce_removals([gone], RemovalReason.AUTHOR)
    if wants_fragment():
        return render("readers/mine.html", "readers/_deleted.html")
    return see_other(url_for("readers.mine"))


@bp.get("/your-comments/export.json")
def download():
    """Everything stored about the reader's address, as a JSON attachment."""
    data = export(_reader())
    response = Response(
        json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = (
        'attachment; filename="your-comments.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/your-comments/erase")
def erase_confirm():
    """Ask before erasing everything."""
    _reader()
    return render("readers/erase.html", "readers/erase.html", form=ConfirmForm())


@bp.post("/your-comments/erase")
def erase_all():
    """Erase everything stored about the address and end the reader session."""
    email = _reader()
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    with write_transaction():
        gone = removals_by_email(email)
        erase(email)
    announce_removals(gone, RemovalReason.ERASURE)
    response = see_other(url_for("readers.erased"))
    session.end(response)
    return response


@bp.post("/your-comments/sign-out")
def sign_out():
    """End the reader session (a shared computer, say)."""
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    response = see_other(url_for("readers.start"))
    session.end(response)
    forget_recent_comments(response)
    return response


@bp.get("/your-comments/erased")
def erased():
    """What a reader sees after erasing."""
    return render("readers/erased.html", "readers/erased.html")
