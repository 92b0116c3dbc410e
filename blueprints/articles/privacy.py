"""The privacy page made from templates/pages/privacy.md, which describes what
Folio stores about readers who comment or write, from this site's settings."""

from __future__ import annotations

from flask import current_app
from flask import render_template
from flask import url_for

from blueprints.articles.publishing import set_body
from blueprints.articles.publishing import unique_slug
from blueprints.comments.cookies import HELD_MAX_AGE
from blueprints.comments.cookies import REMEMBER_MAX_AGE
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import utcnow
from web.urls import urls_outside_requests

TEMPLATE = "pages/privacy.md"
TITLE = "Privacy"


def privacy_markdown() -> str:
    """The privacy page's Markdown, for this site's settings."""
    config = current_app.config
    with urls_outside_requests():
        your_comments = url_for("readers.start")
    return render_template(
        TEMPLATE,
        site_title=config["SITE_TITLE"],
        htmx_cdn=config["HTMX_CDN"],
        image_hosts=config["IMAGE_HOSTS"],
        acknowledge=config["CONTACT_ACKNOWLEDGE"],
        notify_approved=config["COMMENTS_NOTIFY_APPROVED"],
        remember_days=REMEMBER_MAX_AGE // 86400,
        held_days=HELD_MAX_AGE // 86400,
        your_comments=your_comments,
        edit_minutes=config["COMMENTS_EDIT_MINUTES"],
        link_minutes=config["READER_LINK_MINUTES"],
    )


def privacy_page(author_id: int | None, publish: bool = False) -> Article:
    """A new privacy page (the caller adds it, in its write): a draft unless publish."""
    page = Article(
        kind=ArticleKind.PAGE,
        title=TITLE,
        slug=unique_slug(TITLE, kind=ArticleKind.PAGE),
        author_id=author_id,
        comments_open=False,
        status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
        published_at=utcnow() if publish else None,
    )
    set_body(page, privacy_markdown())
    return page
