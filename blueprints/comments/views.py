"""Reader comments: posting, replies and the comment section under an article."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import request
from flask import url_for
from sqlalchemy import select

# Imported as a module: the articles blueprint imports comments.section, which
# loads this package first, so article_page_context is looked up when a view
# runs, not at import time.
import blueprints.articles.views as article_views
from blueprints.comments import cookies
from blueprints.comments.formatting import format_body
from blueprints.comments.forms import CommentForm
from blueprints.comments.identicon import KEY_PATTERN
from blueprints.comments.identicon import identicon_svg
from blueprints.comments.moderation import Submission
from blueprints.comments.moderation import author_history
from blueprints.comments.moderation import decide
from blueprints.comments.notify import notify_staff
from blueprints.comments.posting import NewComment
from blueprints.comments.posting import Target
from blueprints.comments.posting import find_target
from blueprints.comments.posting import insert_comment
from blueprints.comments.section import ThreadComment
from blueprints.comments.section import clamp_page
from blueprints.comments.section import comments_are_open
from blueprints.comments.section import form_context
from blueprints.comments.section import fresh_form
from blueprints.comments.section import new_form
from blueprints.comments.section import reply_target
from extensions import limiter
from models import Article
from models import Comment
from models import CommentStatus
from models import db
from storage.transactions import write_transaction
from web.errors import error_response
from web.form_guard import form_timestamp
from web.form_guard import hash_ip
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

bp = Blueprint("comments", __name__)

PAGE = "articles/detail.html"
FORM_RESPONSE = "comments/_form_response.html"
DUPLICATE = "Duplicate comment detected; it looks as though you’ve already said that!"
TIMESTAMP_MESSAGES = {
    "sent too fast after the form was shown": (
        "That was quick! Your comment has not been posted yet: "
        "wait a few seconds, then send it again."
    ),
    "form older than the allowed age": (
        "This form was open for a long time and has expired. "
        "Your comment is still here: send it again."
    ),
}
TIMESTAMP_FALLBACK = (
    "This form could not be verified. Your comment is still here: send it again."
)
RATE_LIMITED = (
    "You are posting comments too quickly, so this one was not saved. "
    "Wait a minute, then send it again."
)
CLOSED = "Comments are closed on this article, so your comment was not saved."


@bp.app_template_filter("comment_body")
def comment_body_filter(text: str):
    """Template filter: a comment's plain text as escaped paragraphs and links."""
    return format_body(text)


def _rate_limit() -> str:
    """The comment rate limit from configuration (read per request)."""
    return current_app.config["COMMENTS_RATE_LIMIT"]


def _visible_article(slug: str) -> Article:
    """The published article with this slug, or 404."""
    return db.first_or_404(
        select(Article).where(Article.slug == slug, Article.visible())
    )


def _page_article(article: Article | Target) -> Article:
    """The full article, for re-rendering its page (no query when already loaded)."""
    return db.get_or_404(Article, article.id)


def _form_error(
    article: Article | Target,
    form: CommentForm,
    status: int,
    reply_to: Comment | None = None,
    message: str = "",
) -> Response:
    """Re-render the form with its errors: the fragment for htmx, else the page."""
    # Nothing is stored: leave the write transaction (and its lock) if one
    # was begun, before rendering.
    db.session.rollback()
    # A fresh signed timestamp: the reader fixes the problem and resends.
    form.rendered_at.data = form_timestamp()
    problems = len([f for f in form if f.errors])
    status_message = message or (
        "Your comment was not posted: "
        + ("1 field needs" if problems == 1 else f"{problems} fields need")
        + " attention."
    )
    response = render(
        PAGE,
        FORM_RESPONSE,
        status,
        **article_views.article_page_context(
            _page_article(article),
            form=form,
            reply_to=reply_to,
            form_message=message,
            status_message=status_message,
        ),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _parent_for(
    article: Article | Target, form: CommentForm
) -> tuple[Comment | None, bool]:
    """The approved comment being replied to, and whether the reference was valid."""
    parent_id = form.parent_comment_id()
    if parent_id is None:
        return None, not (form.parent_id.data or "").strip()
    parent = db.session.get(Comment, parent_id)
    if (
        parent is None
        or parent.article_id != article.id
        or parent.status != CommentStatus.APPROVED
    ):
        return None, False
    return parent, True


def _attach_point(parent: Comment | None) -> tuple[int | None, int]:
    """Parent id and depth for a reply, keeping threads within COMMENTS_MAX_DEPTH."""
    if parent is None:
        return None, 0
    max_depth = max(1, int(current_app.config["COMMENTS_MAX_DEPTH"]))
    if parent.depth + 1 >= max_depth:
        # At the deepest level a reply becomes the parent's sibling.
        return parent.parent_id, parent.depth
    return parent.id, parent.depth + 1


@bp.post("/articles/<slug>/comments")
@limiter.limit(_rate_limit)
def create(slug: str):
    """Post a comment or reply: validate, apply the spam and moderation rules, store.

    The form is checked first, without the database. A post that passes takes
    the write lock at once, so its reads and writes share one short
    transaction of a few Core statements (see posting.py); one that does not
    only reads, to re-render the form with its errors.
    """
    form = CommentForm()
    valid = form.validate_on_submit()
    spam_problem = form.spam_problem() if valid else None
    refused = spam_problem is not None and spam_problem != "honeypot filled"
    # Only a post that may be stored takes the write lock; one that will not
    # only reads, to re-render the form with its errors.
    writing = write_transaction() if valid and not refused else nullcontext()
    with writing:
        target = find_target(slug)
        if target is None:
            db.session.rollback()
            abort(404)
        if not comments_are_open(target):
            db.session.rollback()
            return render(
                PAGE,
                FORM_RESPONSE,
                403,
                **article_views.article_page_context(
                    _page_article(target), form_message=CLOSED, status_message=CLOSED
                ),
            )
        parent, parent_ok = _parent_for(target, form)
        if not parent_ok:
            form.parent_id.data = ""
            form.comment.errors = [
                *form.comment.errors,
                "The comment you replied to is no longer available; "
                "send again to post this as a new comment.",
            ]
            valid = False
        if not valid:
            return _form_error(target, form, 422, parent)
        if refused:
            message = TIMESTAMP_MESSAGES.get(spam_problem, TIMESTAMP_FALLBACK)
            return _form_error(target, form, 422, parent, message)
        user_agent = request.headers.get("User-Agent", "")
        submission = Submission(
            name=form.author.data,
            email=form.email.data,
            url=form.url.data or "",
            body=form.comment.data,
            ip=request.remote_addr or "",
            user_agent=user_agent,
        )
        parent_id, depth = _attach_point(parent)
        # Under the write lock, so the same comment sent twice at once (say to
        # two workers) is stored once.
        history = author_history(form.email.data, target.id, form.comment.data)
        if history.duplicate:
            form.comment.errors = [DUPLICATE]
            return _form_error(target, form, 422, parent)
        decision = decide(submission, spam_problem, has_approved=history.has_approved)
        comment, target = insert_comment(
            target,
            {
                "parent_id": parent_id,
                "depth": depth,
                "author_name": submission.name,
                "author_email": submission.email,
                "author_url": submission.url,
                "body": submission.body,
                "status": decision.status,
                "status_reason": decision.reason[:200],
                "ip": hash_ip(request.remote_addr),
                "user_agent": user_agent[:255],
            },
        )
        notify_staff(comment, target)
    current_app.logger.info(
        "comment %s on %s: %s", comment.id, target.slug, comment.status_reason
    )

    held = comment.status != CommentStatus.APPROVED
    if wants_fragment():
        response = _created(target, comment, held)
    else:
        response = see_other(
            url_for(
                "articles.detail", slug=target.slug, _anchor=f"comment-{comment.id}"
            )
        )
    if held:
        cookies.add_held_comment(response, comment.id)
    if form.remember.data:
        cookies.remember_author(
            response, form.author.data, form.email.data, form.url.data or ""
        )
    else:
        cookies.forget_author(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _created(target: Target, comment: NewComment, held: bool) -> Response:
    """The htmx answer to a stored comment: it, the new count and a fresh form.

    Only what comments/_created.html shows: the comment list is not re-rendered
    (the next page view renders it once per worker).
    """
    form, blank = fresh_form(target)
    response = render(
        PAGE,
        "comments/_created.html",
        200,
        article=target,
        **form_context(
            target,
            form,
            is_open=True,
            blank=blank,
            status_message=(
                "Your comment was submitted and is awaiting moderation."
                if held
                else "Your comment was posted."
            ),
        ),
        new_comment=ThreadComment.from_row(comment),
        new_parent_id=comment.parent_id,
    )
    # The fresh form goes back to its place under the comments; the old
    # one (maybe under a comment being replied to) is removed out of band.
    response.headers["HX-Retarget"] = "#respond-home"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


@bp.errorhandler(429)
def rate_limited(exc):
    """Too many posts from this address: keep the comment in the form and say why."""
    slug = (request.view_args or {}).get("slug")
    article = db.session.scalar(
        select(Article).where(Article.slug == slug, Article.visible())
    )
    if article is None or request.endpoint != "comments.create":
        return error_response(429)
    form = CommentForm()
    parent, _ = _parent_for(article, form)
    response = _form_error(article, form, 429, parent, RATE_LIMITED)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.get("/articles/<slug>/comments/form")
def reply_form(slug: str):
    """The comment form, replying to ?replytocom= when given (htmx puts it under that comment)."""
    article = _visible_article(slug)
    reply_to = None
    if "replytocom" in request.args:
        reply_to = reply_target(article, request.args.get("replytocom"))
        if reply_to is None:
            abort(404)
    is_open = comments_are_open(article)
    if not wants_fragment():
        # Without JavaScript the reply form is the whole article page.
        form = new_form(reply_to) if is_open else None
        return render(
            PAGE,
            "comments/_reply.html",
            **article_views.article_page_context(article, form=form, reply_to=reply_to),
        )
    # htmx needs only the form: "Cancel reply" gets the blank one.
    form, blank = fresh_form(article, reply_to) if is_open else (None, None)
    return render(
        PAGE,
        "comments/_reply.html",
        **form_context(article, form, is_open=is_open, reply_to=reply_to, blank=blank),
    )


@bp.get("/articles/<slug>/comments")
def index(slug: str):
    """One page of top-level comments (htmx appends it for "Show more comments")."""
    article = _visible_article(slug)
    page = clamp_page(request.args.get("page", 1))
    context = article_views.article_page_context(article, page=page)
    if page > context["comment_section"]["listing"].pages:
        abort(404)
    return render(PAGE, "comments/_page.html", **context)


@bp.get("/avatars/<key>.svg")
def avatar(key: str):
    """The identicon for an avatar key (no database, cacheable for a year)."""
    if not KEY_PATTERN.fullmatch(key):
        abort(404)
    response = Response(identicon_svg(key), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
