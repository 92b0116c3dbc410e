"""The public pages: the Most discussed list and one article's count."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from sqlalchemy import select

from folio_discussed.activity import count_for
from folio_discussed.activity import most_discussed
from models import Article
from models import db
from plugins.api import render

# Its own templates and static files (the staff table's bars), beside the code.
bp = Blueprint(
    "discussed", __name__, template_folder="templates", static_folder="static"
)
COUNT_MAX_AGE = 300


def window() -> int:
    """How many days the counts cover (DISCUSSED_DAYS, at least 1)."""
    return max(1, int(current_app.config["DISCUSSED_DAYS"]))


@bp.get("")
def index():
    """Published articles by approved comments in the last days, most first."""
    days = window()
    return render_template(
        "discussed/index.html", ranked=most_discussed(days), days=days
    )


@bp.get("/articles/<slug>")
def count(slug: str):
    """One article's count sentence: htmx gets the sentence, others a page."""
    article = db.session.execute(
        select(Article.id, Article.slug, Article.title).where(
            Article.slug == slug, Article.visible()
        )
    ).first()
    if article is None:
        abort(404)
    days = window()
    response = render(
        "discussed/count.html",
        "discussed/_count.html",
        article=article,
        comments=count_for(article.id, days),
        days=days,
    )
    # Asked by every article view with JavaScript: the same for everyone,
    # so browsers and any shared cache may keep it a few minutes.
    response.headers["Cache-Control"] = f"public, max-age={COUNT_MAX_AGE}"
    return response
