"""The comment section under an article: threads, pages, the form, and what is cached.

The approved comments of one page are loaded in a single query, threaded in
Python (pingbacks and trackbacks set apart) and rendered once per (article,
comments_version, page); later readers get the cached HTML with no query at all. Everything per visitor (the form with
its CSRF token, remembered details, the visitor's own held comments) is
rendered around that HTML, never into it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from enum import Enum

from flask import current_app
from flask import render_template
from flask import request
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import select

from blueprints.comments.cache import comment_cache
from blueprints.comments.cache import form_cache
from blueprints.comments.cookies import has_held_comments
from blueprints.comments.cookies import has_recent_comments
from blueprints.comments.cookies import held_comments_kept
from blueprints.comments.cookies import proves
from blueprints.comments.cookies import recent_comments_kept
from blueprints.comments.cookies import remembered_author
from blueprints.comments.edit_window import edit_window_open
from blueprints.comments.edit_window import minutes_left
from blueprints.comments.forms import CommentForm
from blueprints.comments.identicon import avatar_key
from blueprints.comments.records import ArticleRef
from models import MAX_ID
from models import Article
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import db
from models import utcnow
from web.form_guard import form_timestamp
from web.page_cache import per_response_value
from web.per_response import CSRF
from web.per_response import CachedPage
from web.per_response import marker
from web.signing import csrf_token
from web.site_settings import settings_version


@dataclass
class ThreadComment:
    """A comment as the templates show it: no email, only its avatar key."""

    id: int
    parent_id: int | None
    author_name: str
    author_url: str
    body: str
    created_at: datetime
    avatar: str
    status: CommentStatus = CommentStatus.APPROVED
    children: list[ThreadComment] = field(default_factory=list)
    edited_at: datetime | None = None
    # Deleted by its author while it had replies: shown as such, with nothing of theirs.
    removed: bool = False

    @classmethod
    def from_row(cls, row) -> ThreadComment:
        """Build from a Comment or a row with the same columns."""
        return cls(
            id=row.id,
            parent_id=row.parent_id,
            author_name=row.author_name,
            author_url=row.author_url or "",
            body=row.body,
            created_at=row.created_at,
            avatar=avatar_key(row.author_email),
            status=getattr(row, "status", CommentStatus.APPROVED),
            edited_at=getattr(row, "edited_at", None),
            removed=getattr(row, "removed_at", None) is not None,
        )

    @property
    def held(self) -> bool:
        """True while the comment awaits moderation (shown only to its author)."""
        return self.status != CommentStatus.APPROVED


def comments_are_open(article: ArticleRef) -> bool:
    """Open unless closed on the article or older than COMMENTS_CLOSE_AFTER_DAYS."""
    return comments_open_now(article.comments_open, article.published_at)


def comments_open_now(comments_open: bool, published_at: datetime | None) -> bool:
    """comments_are_open() from the two columns it depends on."""
    if not comments_open:
        return False
    days = int(current_app.config["COMMENTS_CLOSE_AFTER_DAYS"])
    if days and published_at is not None:
        return published_at > utcnow() - timedelta(days=days)
    return True


def per_page() -> int:
    """Top-level comments per page, from configuration."""
    return max(1, int(current_app.config["COMMENTS_PER_PAGE"]))


@dataclass(frozen=True)
class Discussion:
    """An article's approved comments as threads, and the links to it from elsewhere."""

    threads: list[ThreadComment]
    mentions: list[ThreadComment]


def shows_mentions() -> bool:
    """True unless FOLIO_PINGBACKS hides approved pingbacks and trackbacks."""
    return current_app.config["PINGBACKS"] != "hidden"


def load_discussion(article: ArticleRef) -> Discussion:
    """Every approved comment of the article as top-level threads, oldest first,
    and its approved pingbacks and trackbacks apart (none when they are hidden).

    One query; replies whose parent is not approved (any more) are shown at the
    top level rather than lost.
    """
    query = (
        select(
            Comment.id,
            Comment.parent_id,
            Comment.author_name,
            Comment.author_email,
            Comment.author_url,
            Comment.body,
            Comment.created_at,
            Comment.kind,
            Comment.edited_at,
            Comment.removed_at,
        )
        .where(
            Comment.article_id == article.id,
            Comment.status == CommentStatus.APPROVED,
        )
        .order_by(Comment.created_at, Comment.id)
    )
    if not shows_mentions():
        query = query.where(Comment.kind == CommentKind.COMMENT)
    by_id: dict[int, ThreadComment] = {}
    mentions: list[ThreadComment] = []
    for row in db.session.execute(query):
        comment = ThreadComment.from_row(row)
        if row.kind == CommentKind.COMMENT:
            by_id[row.id] = comment
        else:
            mentions.append(comment)
    top: list[ThreadComment] = []
    for comment in by_id.values():
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        (parent.children if parent else top).append(comment)
    return Discussion(top, mentions)


class CommentOrder(Enum):
    """The order of top-level threads (?comments=); replies are always oldest first."""

    OLDEST = "oldest"
    NEWEST = "newest"

    @classmethod
    def from_arg(cls, raw: object) -> CommentOrder:
        """The order a query argument names; anything else means oldest first."""
        return cls.NEWEST if raw == cls.NEWEST.value else cls.OLDEST

    @property
    def arg(self) -> str | None:
        """The query argument's value for links (None: the default, left out)."""
        return None if self is CommentOrder.OLDEST else self.value


ORDER_ARG = "comments"


def requested_order() -> CommentOrder:
    """The order this request asks for (?comments=newest), oldest by default."""
    return CommentOrder.from_arg(request.args.get(ORDER_ARG))


@dataclass(frozen=True)
class RenderedPage:
    """One page of the approved-comment list, rendered, and how many pages there are."""

    html: Markup
    page: int
    pages: int
    order: CommentOrder = CommentOrder.OLDEST


def clamp_page(raw: object) -> int:
    """A page number from a query argument; anything odd means page 1."""
    try:
        page = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1
    return page if 1 <= page <= 100_000 else 1


def rendered_page(
    article: ArticleRef, page: int, order: CommentOrder = CommentOrder.OLDEST
) -> RenderedPage:
    """The approved comments of one page in order, from the cache or rendered
    (one query)."""
    is_open = comments_are_open(article)
    key = (
        article.id,
        article.comments_version,
        article.slug,
        page,
        order,
        is_open,
        settings_version(),  # dates, page size, depth and pingbacks are settings
    )

    def _render() -> RenderedPage:
        discussion = load_discussion(article)
        threads = discussion.threads
        if order is CommentOrder.NEWEST:
            threads = threads[::-1]
        size = per_page()
        pages = max(1, -(-len(threads) // size))
        items = threads[(page - 1) * size : page * size]
        html = render_template(
            "comments/_list.html",
            article=article,
            comments=items,
            page=page,
            pages=pages,
            order=order,
            comments_open=is_open,
            # After the discussion: on its last page (where "Show more" ends).
            mentions=discussion.mentions if page == pages else [],
        )
        return RenderedPage(Markup(html), page, pages, order)

    return comment_cache().get_or_render(key, _render)


def shows_own_held_comments() -> bool:
    """True when this visitor's page lists their comments awaiting moderation.

    Such a page is theirs alone, so the page cache leaves it out; so is the
    page of a visitor who may still edit a comment they just posted.
    """
    return has_held_comments() or has_recent_comments()


def held_comments(article: ArticleRef) -> list[ThreadComment]:
    """This browser's own comments on the article still awaiting moderation.

    Queried only when the signed held-comments cookie is present.
    """
    kept = held_comments_kept()
    if not kept:
        return []
    rows = db.session.scalars(
        select(Comment)
        .where(
            Comment.id.in_(kept),
            Comment.article_id == article.id,
            Comment.status.in_([CommentStatus.PENDING, CommentStatus.SPAM]),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    # The stamp proves it is this browser's comment, not a later one given its id.
    return [ThreadComment.from_row(row) for row in rows if proves(kept, row)]


@dataclass(frozen=True)
class OwnEditable:
    """A comment this browser posted and may still edit (never in the cached list)."""

    id: int
    created_at: datetime
    minutes_left: int


def own_editable(article: ArticleRef) -> list[OwnEditable]:
    """This browser's comments on the article still inside the edit window.

    Queried only when the signed recent-comments cookie holds some; each must
    match its stamp there (see cookies.proves).
    """
    kept = recent_comments_kept()
    if not kept:
        return []
    rows = db.session.execute(
        select(Comment.id, Comment.created_at, Comment.status, Comment.removed_at)
        .where(Comment.id.in_(kept), Comment.article_id == article.id)
        .order_by(Comment.created_at, Comment.id)
    )
    return [
        OwnEditable(row.id, row.created_at, minutes_left(row))
        for row in rows
        if proves(kept, row) and edit_window_open(row)
    ]


# The comment form's per-response values: a cached page that shows the blank
# form declares these (@cached(per_response=COMMENT_FORM_VALUES)).
FORM_STAMP = "comment-form-stamp"
AUTHOR = "commenter-name"
EMAIL = "commenter-email"
URL = "commenter-url"
REMEMBER = "commenter-remember"


def _remembered(key: str) -> Callable[[], str]:
    """This visitor's remembered detail (name, email or url), or ""."""
    return lambda: remembered_author().get(key, "")


def _remember_checked() -> str:
    """The remember checkbox's checked attribute, for a visitor who opted in."""
    return Markup("checked") if remembered_author() else Markup("")


COMMENT_FORM_VALUES: dict[str, Callable[[], str]] = {
    FORM_STAMP: form_timestamp,
    AUTHOR: _remembered("name"),
    EMAIL: _remembered("email"),
    URL: _remembered("url"),
    REMEMBER: _remember_checked,
}


def blank_form(article: ArticleRef, details: dict[str, str] | None = None) -> Markup:
    """The blank comment form with this response's token, timestamp and details.

    Every visitor gets the same form but for the CSRF token, the signed
    timestamp and the details a returning commenter asked to remember, so it is
    rendered once per article and process (WTForms renders slowly), cut at
    those values, and each call joins in this response's: escaped, or the page
    cache's markers while it renders a page to keep (per_response_value).

    details: the name, email and url this very response remembers (or {} when
    it forgets them), in place of the request's cookie: the fresh form after a
    post shows what the reader just chose, not what their browser sent.
    """
    cached = form_cache().get_or_render(article.slug, lambda: _blank(article))
    sources = dict(COMMENT_FORM_VALUES)
    if details is not None:
        sources.update(_posted_details(details))
    values = {CSRF: csrf_token().encode()}
    for name, value in sources.items():
        values[name] = str(escape(per_response_value(name, value))).encode()
    return Markup(cached.join(values).decode())


def _posted_details(details: dict[str, str]) -> dict[str, Callable[[], str]]:
    """The remembered-detail values of the form, from details rather than the cookie."""
    checked = Markup("checked") if details else Markup("")
    return {
        AUTHOR: lambda: details.get("name", ""),
        EMAIL: lambda: details.get("email", ""),
        URL: lambda: details.get("url", ""),
        REMEMBER: lambda: checked,
    }


def _blank(article: ArticleRef) -> CachedPage:
    """The blank form rendered with a marker for each per-response value, cut there."""
    markers = {name: marker() for name in COMMENT_FORM_VALUES}
    form = CommentForm(formdata=None)
    form.rendered_at.data = markers[FORM_STAMP]
    form.author.data = markers[AUTHOR]
    form.email.data = markers[EMAIL]
    form.url.data = markers[URL]
    # A bare attribute named by the marker, filled with "checked" or nothing.
    form.remember.render_kw = {markers[REMEMBER]: True}
    html = render_template(
        "comments/_form.html", **form_context(article, form, is_open=True)
    )
    return CachedPage.split(html, {CSRF: csrf_token(), **markers})


def fresh_form(
    article: ArticleRef,
    reply_to: Comment | None = None,
    details: dict[str, str] | None = None,
) -> tuple[CommentForm | None, Markup | None]:
    """A new form for open comments: (None, the cached blank form), or for a
    reply (a CommentForm, None). details: see blank_form()."""
    if reply_to is None:
        return None, blank_form(article, details)
    return new_form(reply_to), None


def new_form(reply_to: Comment | None = None) -> CommentForm:
    """A blank comment form, pre-filled from the opt-in cookie when present."""
    form = CommentForm(formdata=None)
    # Also after a POST (a fresh form once a comment is saved).
    form.rendered_at.data = form_timestamp()
    remembered = remembered_author()
    if remembered:
        form.author.data = remembered["name"]
        form.email.data = remembered["email"]
        form.url.data = remembered["url"]
        form.remember.data = True
    if reply_to is not None:
        form.parent_id.data = str(reply_to.id)
    return form


def reply_target(article_id: int, raw_id: object) -> Comment | None:
    """The approved comment of this article that ?replytocom= names, if any."""
    try:
        comment_id = int(raw_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not 0 < comment_id <= MAX_ID:
        return None
    comment = db.session.get(Comment, comment_id)
    if (
        comment is None
        or comment.article_id != article_id
        or comment.status != CommentStatus.APPROVED
        or comment.kind != CommentKind.COMMENT  # a pingback takes no replies
    ):
        return None
    return comment


def form_context(
    article: ArticleRef,
    form: CommentForm | None,
    *,
    is_open: bool,
    reply_to: Comment | None = None,
    form_message: str = "",
    status_message: str = "",
    blank: Markup | None = None,
) -> dict:
    """Context for the form, the count and the status line (what a post answers with).

    blank: the cached blank form (see blank_form()), shown instead of form.
    """
    return {
        "comment_section": {
            "article": article,
            "open": is_open,
            "reply_to": reply_to,
            "form_message": form_message,
            "status_message": status_message,
            "blank_form": blank,
        },
        "comment_form": form,
    }


def section_context(
    page_article: Article,
    *,
    form: CommentForm | None = None,
    page: int | None = None,
    reply_to: Comment | None = None,
    form_message: str = "",
    status_message: str = "",
) -> dict:
    """Template context for comments/_section.html (and its partials).

    Without arguments (the article page) the page comes from ?cpage=, the order
    from ?comments= and a reply target from ?replytocom=, so all work without
    JavaScript. A page that does not allow comments has no section: {}.
    """
    if not page_article.shows_comments:
        return {}
    article = ArticleRef.from_row(page_article)
    if page is None:
        page = clamp_page(request.args.get("cpage", 1))
    if reply_to is None and form is None and "replytocom" in request.args:
        reply_to = reply_target(article.id, request.args.get("replytocom"))
    is_open = comments_are_open(article)
    blank = None
    if form is None and is_open:
        form, blank = fresh_form(article, reply_to)
    context = form_context(
        article,
        form,
        is_open=is_open,
        reply_to=reply_to,
        form_message=form_message,
        status_message=status_message,
        blank=blank,
    )
    context["comment_section"].update(
        listing=rendered_page(article, page, requested_order()),
        held=held_comments(article),
        editable=own_editable(article),
    )
    return context
