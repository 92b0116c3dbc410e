"""The staff list of pages (About, Privacy...) and the privacy page from its template.

A page is edited in the article editor (blueprints/staff/articles.py), at
/staff/pages/<id>/edit.
"""

from __future__ import annotations

from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.articles.privacy import privacy_page
from blueprints.staff.access import ARTICLES
from blueprints.staff.access import role_required
from blueprints.staff.forms import ActionForm
from blueprints.staff.paging import page_arg
from blueprints.staff.views import bp
from models import Article
from models import ArticleKind
from models import db
from storage.transactions import write_transaction
from web.htmx import see_other

PER_PAGE = 50


@bp.get("/pages")
@role_required(ARTICLES)
def pages():
    """Every page by title, with its address, state and last change."""
    listed = db.paginate(
        select(Article)
        .where(Article.kind == ArticleKind.PAGE)
        .order_by(Article.title, Article.id),
        page=page_arg(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("staff/pages.html", page=listed, form=ActionForm())


@bp.post("/pages/privacy")
@role_required(ARTICLES)
def page_seed_privacy():
    """Create the privacy page, as a draft, from its template; then edit it."""
    with write_transaction():
        page = privacy_page(current_user.id)
        db.session.add(page)
    flash(
        f"Created “{page.title}” from the template as a draft: read it, "
        "adjust it to your site, then publish it.",
        "success",
    )
    return see_other(url_for("staff.page_edit", article_id=page.id))
