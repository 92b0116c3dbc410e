"""Follow an article's comments, confirm an address, unsubscribe.

Every page here is reached from a link (the article page, a mail) and works
without JavaScript; htmx swaps the box in place. A GET never changes anything:
mail scanners fetch links before the reader does.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import url_for
from sqlalchemy import select

from blueprints.comments.section import comments_are_open
from blueprints.subscriptions import notices
from blueprints.subscriptions.consent import Wish
from blueprints.subscriptions.consent import record
from blueprints.subscriptions.forms import ConfirmForm
from blueprints.subscriptions.forms import FollowForm
from blueprints.subscriptions.forms import UnsubscribeForm
from blueprints.subscriptions.links import Removal
from blueprints.subscriptions.links import confirm_wishes
from blueprints.subscriptions.links import listed_until
from blueprints.subscriptions.links import remove
from blueprints.subscriptions.links import unsubscribe_choices
from blueprints.subscriptions.links import waiting
from blueprints.subscriptions.tokens import LinkProblem
from blueprints.subscriptions.tokens import read_confirm_token
from blueprints.subscriptions.tokens import read_unsubscribe_token
from blueprints.subscriptions.tokens import stamp
from extensions import csrf
from extensions import limiter
from models import Article
from models import db
from models import utcnow
from storage.transactions import write_transaction
from web.errors import error_response
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

bp = Blueprint("subscriptions", __name__)
bp.record_once(notices.connect)

# Per client: each accepted post may mail (the 24-hour rule caps it per address).
FOLLOW_RATE_LIMIT = "5 per minute;20 per day"
CLOSED = "Comments are closed here, so there are no new comments to follow."


@bp.errorhandler(LinkProblem)
def link_problem(exc: LinkProblem):
    """A forged, tampered, expired or stale link: say so; nothing changed."""
    db.session.rollback()
    return error_response(exc.status, exc.message)


def _followable(slug: str) -> Article:
    """The published article (or page) at slug taking comments, or 404."""
    article = db.session.scalar(
        select(Article).where(Article.slug == slug, Article.visible())
    )
    if article is None:
        abort(404)
    if not comments_are_open(article):
        abort(error_response(404, CLOSED))
    return article


@bp.get("/articles/<slug>/follow")
def new(slug: str):
    """The "Follow new comments by email" page."""
    article = _followable(slug)
    return render(
        "subscriptions/follow.html",
        "subscriptions/_follow_form.html",
        article=article,
        form=FollowForm(),
    )


@bp.post("/articles/<slug>/follow")
@limiter.limit(FOLLOW_RATE_LIMIT)
def create(slug: str):
    """Record the wish; the same answer whether or not the address is known."""
    form = FollowForm()
    if not form.validate():
        article = _followable(slug)
        return render(
            "subscriptions/follow.html",
            "subscriptions/_follow_form.html",
            422,
            article=article,
            form=form,
        )
    with write_transaction():
        article = _followable(slug)
        record(Wish(email=form.email.data, article_id=article.id, whole_article=True))
    if not wants_fragment():
        return see_other(url_for("subscriptions.sent", slug=slug))
    return render(
        "subscriptions/follow_sent.html",
        "subscriptions/_follow_sent.html",
        article=article,
    )


@bp.get("/articles/<slug>/follow/sent")
def sent(slug: str):
    """Where a follow without JavaScript lands: what happens next."""
    article = _followable(slug)
    return render(
        "subscriptions/follow_sent.html",
        "subscriptions/_follow_sent.html",
        article=article,
    )


@bp.get("/subscriptions/confirm/<token>")
def confirm_page(token: str):
    """The page listing what the link confirms, with the "Confirm" button (GET
    changes nothing: scanners fetch it)."""
    form = ConfirmForm()
    form.shown.data = str(stamp(utcnow()))
    claim = read_confirm_token(token)
    wishes = waiting(claim, listed_until(claim, form.shown_stamp()))
    return render(
        "subscriptions/confirm.html",
        "subscriptions/_confirm.html",
        token=token,
        form=form,
        wishes=wishes,
    )


@bp.post("/subscriptions/confirm/<token>")
def confirm(token: str):
    """Confirm the wishes the link covers (CSRF-checked); twice is harmless."""
    claim = read_confirm_token(token)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    with write_transaction():
        confirmed = confirm_wishes(claim, listed_until(claim, form.shown_stamp()))
    return render(
        "subscriptions/confirm.html",
        "subscriptions/_confirm.html",
        token=token,
        form=ConfirmForm(),
        wishes=[],
        just_now=confirmed > 0,
    )


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """The page with "this thread" and "everything" buttons."""
    choices = unsubscribe_choices(read_unsubscribe_token(token))
    return render(
        "subscriptions/unsubscribe.html",
        "subscriptions/_unsubscribe.html",
        token=token,
        choices=choices,
        removal=None,
    )


# Exempt from CSRF, this one view: mail providers POST the one-click body
# (RFC 8058) with no token and no cookie. The signed token in the URL is the
# authority, as a CSRF token would be; it only ever removes subscriptions.
@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    """Remove the subscription the link names, or all of the address's."""
    claim = read_unsubscribe_token(token)
    form = UnsubscribeForm()
    everything = form.scope.data == "all" or (
        claim.subscription_id is None and not form.scope.data
    )
    with write_transaction():
        removal: Removal = remove(claim, everything)
    return render(
        "subscriptions/unsubscribe.html",
        "subscriptions/_unsubscribe.html",
        token=token,
        choices=None,
        removal=removal,
    )


@bp.app_template_global("follow_url")
def follow_url(article) -> str:
    """The "Follow new comments by email" page of an article (Article, ArticleRef)."""
    return url_for("subscriptions.new", slug=article.slug)
