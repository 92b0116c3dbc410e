"""Articles and pages share the staff editor: which endpoint serves which kind."""

from __future__ import annotations

from flask import url_for

from blueprints.staff.views import bp
from models import ArticleKind


def editor_endpoint(verb: str, kind: ArticleKind) -> str:
    """staff.article_<verb> for an article, staff.page_<verb> for a page."""
    return f"staff.{'page' if kind == ArticleKind.PAGE else 'article'}_{verb}"


@bp.app_template_global()
def editor_url(verb: str, kind: ArticleKind, **values: object) -> str:
    """The editor's address for verb (edit, new, delete_confirm...) and kind."""
    return url_for(editor_endpoint(verb, kind), **values)


def list_url(kind: ArticleKind) -> str:
    """The staff list of articles, or of pages."""
    return url_for("staff.pages" if kind == ArticleKind.PAGE else "staff.articles")
