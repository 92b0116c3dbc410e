"""Reader comments: posting, replies and the comment section under an article."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import request

from blueprints.articles.page import article_for_page
from blueprints.articles.page import reader_context
from blueprints.articles.page import reader_url
from blueprints.comments import cookies
from blueprints.comments import feeds
from blueprints.comments import notify
from blueprints.comments.arrivals import Arrivals
from blueprints.comments.arrivals import clamp_count
from blueprints.comments.arrivals import shared_poll
from blueprints.comments.edit_window import edit_window
from blueprints.comments.formatting import format_body
from blueprints.comments.forms import CommentForm
from blueprints.comments.identicon import KEY_PATTERN
from blueprints.comments.identicon import identicon_svg
from blueprints.comments.moderation import Submission
from blueprints.comments.moderation import author_history
from blueprints.comments.moderation import decide
from blueprints.comments.moderation import decided_before_votes
from blueprints.comments.moderation import plugin_votes
from blueprints.comments.posting import find_target
from blueprints.comments.posting import insert_comment
from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from blueprints.comments.section import ThreadComment
from blueprints.comments.section import clamp_page
from blueprints.comments.section import comments_are_open
from blueprints.comments.section import form_context
from blueprints.comments.section import fresh_form
from blueprints.comments.section import new_form
from blueprints.comments.section import rendered_page
from blueprints.comments.section import reply_target
from blueprints.comments.section import requested_order
from blueprints.comments.section import section_context
from blueprints.subscriptions import consent
from blueprints.subscriptions.notices import note_posted
from extensions import limiter
from models import Article
from models import ArticleKind
from models import Comment
from models import CommentStatus
from models import db
from plugins.hooks import SpamVote
from plugins.hooks import has_spam_checks
from signals import comment_created
from storage.transactions import write_transaction
from web.errors import error_response
from web.form_guard import SpamProblem
from web.form_guard import form_timestamp
from web.form_guard import hash_ip
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment
from web.http_caching import not_modified
from web.urls import absolute_url

bp = Blueprint("comments", __name__)
bp.record_once(notify.connect)
bp.add_app_template_global(feeds.feed_url, "comments_feed_url")

PAGE = "articles/detail.html"
FORM_RESPONSE = "comments/_form_response.html"
REPLY = "comments/_reply.html"
DUPLICATE = "Duplicate comment detected; it looks as though you’ve already said that!"
PARENT_GONE = (
    "The comment you replied to is no longer available; "
    "send again to post this as a new comment."
)
REFUSED = {
    SpamProblem.TOO_FAST: (
        "That was quick! Your comment has not been posted yet: "
        "wait a few seconds, then send it again."
    ),
    SpamProblem.STAMP_EXPIRED: (
        "This form was open for a long time and has expired. "
        "Your comment is still here: send it again."
    ),
}
REFUSED_FALLBACK = (
    "This form could not be verified. Your comment is still here: send it again."
)
RATE_LIMITED = (
    "You are posting comments too quickly, so this one was not saved. "
    "Wait a minute, then send it again."
)
# The held comment itself says it awaits moderation; the status line does not repeat it.
HELD_STATUS = "Thank you. Your comment will appear for everyone once it is approved."
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
    article = article_for_page(Article.slug == slug, Article.visible())
    if article is None:
        abort(404)
    return article


def _article_ref(slug: str) -> ArticleRef:
    """What a comment fragment needs of the published article at slug, or 404."""
    article = find_target(slug)
    if article is None:
        db.session.rollback()
        abort(404)
    return article


def _whole_page(article: Article, **section_options) -> dict:
    """The article page's context with the comment section in the given state."""
    return {**reader_context(article), **section_context(article, **section_options)}


def _form_answer(
    article: ArticleRef,
    form: CommentForm | None,
    status: int,
    reply_to: Comment | None = None,
    **messages: str,
) -> Response:
    """The form again with its messages: the fragment for htmx, else the whole page."""
    # Nothing is stored: leave the write transaction (and its lock), if begun.
    db.session.rollback()
    if wants_fragment():
        is_open = comments_are_open(article)
        context = form_context(
            article, form, is_open=is_open, reply_to=reply_to, **messages
        )
    else:
        page_article = db.get_or_404(Article, article.id)
        context = _whole_page(page_article, form=form, reply_to=reply_to, **messages)
    return render(PAGE, FORM_RESPONSE, status, **context)


def _form_error(
    article: ArticleRef,
    form: CommentForm,
    status: int,
    reply_to: Comment | None = None,
    message: str = "",
) -> Response:
    """Re-render the form with its errors and a fresh signed timestamp (no-store)."""
    form.rendered_at.data = form_timestamp()
    problems = len([f for f in form if f.errors])
    status_message = message or (
        "Your comment was not posted: "
        + ("1 field needs" if problems == 1 else f"{problems} fields need")
        + " attention."
    )
    response = _form_answer(
        article,
        form,
        status,
        reply_to,
        form_message=message,
        status_message=status_message,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _parent_for(article: ArticleRef, form: CommentForm) -> tuple[Comment | None, bool]:
    """The approved comment being replied to, and whether the reference was valid."""
    parent_id = form.parent_comment_id()
    if parent_id is None:
        return None, not (form.parent_id.data or "").strip()
    parent = reply_target(article.id, parent_id)
    return parent, parent is not None


def _reply_parent(
    article: ArticleRef, form: CommentForm
) -> tuple[Comment | None, bool]:
    """_parent_for, with an error on the form when the comment replied to is gone."""
    parent, valid = _parent_for(article, form)
    if not valid:
        form.parent_id.data = ""
        form.comment.errors = [*form.comment.errors, PARENT_GONE]
    return parent, valid


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
    """Post a comment or reply: parse, decide, store, respond.

    The form is checked without the database first; only a post that may be
    stored takes the write lock, so its reads and writes share one short
    transaction (posting.py).
    """
    form = CommentForm()
    valid = form.validate_on_submit()
    spam = form.spam_problem() if valid else None
    # Only a post that may be stored takes the write lock; the others only read.
    writing = valid and not (spam and spam.refuse)
    submission = _submission(form)
    votes = _votes(slug, form, submission, spam) if writing else []
    with write_transaction() if writing else nullcontext():
        article = _article_ref(slug)
        if not comments_are_open(article):
            return _form_answer(
                article, None, 403, form_message=CLOSED, status_message=CLOSED
            )
        parent, parent_ok = _reply_parent(article, form)
        if not (valid and parent_ok):
            return _form_error(article, form, 422, parent)
        if spam and spam.refuse:
            message = REFUSED.get(spam, REFUSED_FALLBACK)
            return _form_error(article, form, 422, parent, message)
        stored = _store(article, form, parent, submission, spam, votes)
        if stored is None:
            form.comment.errors = [DUPLICATE]
            return _form_error(article, form, 422, parent)
    comment, article = stored
    comment_created.send(
        current_app._get_current_object(), comment=comment, article=article
    )
    current_app.logger.info(
        "comment %s on %s: %s", comment.id, article.slug, comment.status_reason
    )
    return _posted(article, comment, form)


def _votes(
    slug: str, form: CommentForm, submission: Submission, spam: SpamProblem | None
) -> list[SpamVote]:
    """The plugins' spam checks' votes on a post that can be stored, asked
    before the write lock is taken (a check may call a service).

    A post the rules already call spam, to a closed or missing article, or a
    duplicate, is sent to no check: two reads, only while a check is loaded.
    """
    if not has_spam_checks(current_app) or decided_before_votes(submission, spam):
        return []
    article = find_target(slug)
    if article is None or not comments_are_open(article):
        return []
    if author_history(submission.email, article.id, submission.body).duplicate:
        return []
    article_url = absolute_url("articles.detail", slug=slug)
    return plugin_votes(submission, article_url, form.parent_comment_id())


def _submission(form: CommentForm) -> Submission:
    """What the reader sent, with where from, as the moderation rules see it."""
    return Submission(
        name=form.author.data,
        email=form.email.data,
        url=form.url.data or "",
        body=form.comment.data,
        ip=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )


def _store(
    article: ArticleRef,
    form: CommentForm,
    parent: Comment | None,
    submission: Submission,
    spam: SpamProblem | None,
    votes: list[SpamVote],
) -> tuple[StoredComment, ArticleRef] | None:
    """Apply the duplicate and moderation rules and insert; None if a duplicate.

    The caller holds the write lock, so the same comment sent twice at once
    (say to two workers) is stored once.
    """
    history = author_history(submission.email, article.id, submission.body)
    if history.duplicate:
        return None
    decision = decide(submission, spam, history.has_approved, votes)
    parent_id, depth = _attach_point(parent)
    values = {
        "parent_id": parent_id,
        "depth": depth,
        "author_name": submission.name,
        "author_email": submission.email,
        "author_url": submission.url,
        "body": submission.body,
        "status": decision.status,
        "status_reason": decision.reason[:200],
        "ip": hash_ip(request.remote_addr),
        "user_agent": submission.user_agent[:255],
    }
    stored = insert_comment(article, values)
    if stored is not None:
        # The reader's "Email me..." boxes, and the followers' notices, in
        # this same write.
        consent.record_from_comment(form, stored[0])
        note_posted(*stored)
    return stored


def _posted(article: ArticleRef, comment: StoredComment, form: CommentForm) -> Response:
    """The answer to a stored comment, with the held and remember-me cookies."""
    held = comment.status != CommentStatus.APPROVED
    following = consent.answer(form, comment)
    if wants_fragment():
        response = _created(article, comment, held, _remembered_now(form), following)
    else:
        if following:
            flash(following, "success")
        anchor = f"comment-{comment.id}"
        response = see_other(reader_url(article, _anchor=anchor))
    if held:
        cookies.add_held_comment(response, comment)
    cookies.add_recent_comment(response, comment)
    if form.remember.data:
        cookies.remember_author(
            response, form.author.data, form.email.data, form.url.data or ""
        )
    else:
        cookies.forget_author(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _remembered_now(form: CommentForm) -> dict[str, str]:
    """The details this post asks the browser to remember ({}: forget them)."""
    if not form.remember.data:
        return {}
    return {
        "name": form.author.data or "",
        "email": form.email.data or "",
        "url": form.url.data or "",
    }


def _created(
    article: ArticleRef,
    comment: StoredComment,
    held: bool,
    remembered: dict[str, str],
    following: str = "",
) -> Response:
    """The htmx answer to a stored comment: it, the new count and a fresh form.

    Only what comments/_created.html shows: the comment list is not re-rendered
    (the next page view renders it once per worker). The fresh form carries the
    details the reader just chose to remember (the cookie comes with this answer).
    """
    form, blank = fresh_form(article, details=remembered)
    response = render(
        PAGE,
        "comments/_created.html",
        200,
        article=article,
        **form_context(
            article,
            form,
            is_open=True,
            blank=blank,
            status_message=" ".join(
                filter(
                    None,
                    [HELD_STATUS if held else "Your comment was posted.", following],
                )
            ),
        ),
        new_comment=ThreadComment.from_row(comment),
        new_parent_id=comment.parent_id,
        # Just posted from this browser: editable inline (readers.edit).
        editable_ids=(comment.id,) if edit_window() else (),
        news_since=_shown_since(article, held),
    )
    # The fresh form goes back to its place under the comments; the old
    # one (maybe under a comment being replied to) is removed out of band.
    response.headers["HX-Retarget"] = "#respond-home"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _shown_since(article: ArticleRef, held: bool) -> int:
    """The approved count the page shows once this comment is in: the count it
    showed (?since=, which static/js/threads.js sends with the post), plus this
    one when approved, so the poll still counts others' arrivals since the page
    loaded. Without it, the article's count now."""
    since = clamp_count(request.form.get("since"), -1)
    if since < 0:
        return article.comment_count
    return since + (0 if held else 1)


@bp.errorhandler(429)
def rate_limited(exc):
    """Too many posts from this address: keep the comment in the form and say why."""
    slug = (request.view_args or {}).get("slug")
    is_post = request.endpoint == "comments.create" and slug is not None
    article = find_target(slug) if is_post else None
    if article is None:
        return error_response(429)
    form = CommentForm()
    parent, _ = _parent_for(article, form)
    response = _form_error(article, form, 429, parent, RATE_LIMITED)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _reply_to_arg(article_id: int) -> Comment | None:
    """The comment ?replytocom= names (None without it); 404 when it is not one."""
    if "replytocom" not in request.args:
        return None
    reply_to = reply_target(article_id, request.args.get("replytocom"))
    if reply_to is None:
        abort(404)
    return reply_to


@bp.get("/articles/<slug>/comments/form")
def reply_form(slug: str):
    """The comment form, replying to ?replytocom= when given (htmx puts it under that comment)."""
    if not wants_fragment():
        # Without JavaScript the reply form is the whole article page.
        page_article = _visible_article(slug)
        reply_to = _reply_to_arg(page_article.id)
        context = _whole_page(page_article, form=new_form(reply_to), reply_to=reply_to)
        return render(PAGE, REPLY, **context)
    # htmx needs only the form: "Cancel reply" gets the blank one.
    article = _article_ref(slug)
    reply_to = _reply_to_arg(article.id)
    is_open = comments_are_open(article)
    form, blank = fresh_form(article, reply_to) if is_open else (None, None)
    context = form_context(
        article, form, is_open=is_open, reply_to=reply_to, blank=blank
    )
    return render(PAGE, REPLY, **context)


@bp.get("/articles/<slug>/comments")
def index(slug: str):
    """One page of top-level comments (htmx appends it for "Show more comments")."""
    page = clamp_page(request.args.get("page", 1))
    if not wants_fragment():
        context = _whole_page(_visible_article(slug), page=page)
        listing = context["comment_section"]["listing"]
    else:
        # Only the cached page of comments (in the order asked): no article
        # page, no form; the first page also updates the order links and count.
        article = _article_ref(slug)
        listing = rendered_page(article, page, requested_order())
        context = {"comment_section": {"listing": listing, "article": article}}
    if page > listing.pages:
        abort(404)
    return render(PAGE, "comments/_page.html", **context)


@bp.get("/articles/<slug>/comments/new")
def news(slug: str):
    """How many comments arrived since ?since= (the count the page showed): one query.

    htmx polls it from the article page (comments/_news.html); without htmx it
    leads to the comment section.
    """
    article = _article_ref(slug)
    if not wants_fragment():
        return see_other(reader_url(article, _anchor="comments"))
    since = clamp_count(request.args.get("since"), article.comment_count)
    # Fewer than the page showed (some were removed): nothing to announce.
    news = Arrivals(article, max(0, article.comment_count - since), requested_order())
    etag = news.etag()
    if not_modified(etag):
        return shared_poll(make_response("", 304), etag)
    response = render(PAGE, "comments/_news_count.html", news=news)
    return shared_poll(response, etag)


@bp.get("/comments.atom")
def site_feed():
    """Atom feed of the site's newest approved comments."""
    return feeds.site_feed()


@bp.get("/articles/<slug>/comments.atom")
def article_feed(slug: str):
    """Atom feed of one article's newest approved comments."""
    return _feed(slug, ArticleKind.ARTICLE)


@bp.get("/<slug>/comments.atom")
def page_feed(slug: str):
    """Atom feed of one page's newest approved comments (a page that takes them)."""
    return _feed(slug, ArticleKind.PAGE)


def _feed(slug: str, kind: ArticleKind) -> Response:
    """The comments feed of the visible article or page of kind at slug, or 404."""
    article = _article_ref(slug)
    if article.kind != kind or not (
        kind == ArticleKind.ARTICLE or article.comments_open
    ):
        abort(404)
    return feeds.article_feed(article)


@bp.get("/avatars/<key>.svg")
def avatar(key: str):
    """The identicon for an avatar key (no database, cacheable for a year)."""
    if not KEY_PATTERN.fullmatch(key):
        abort(404)
    response = Response(identicon_svg(key), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
