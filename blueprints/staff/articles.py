"""The article list and editor: live preview, save with or without htmx, delete.

Pages (About, Privacy) use the same editor at /staff/pages/...: each route is
registered twice, the kind given as a default (ARTICLE, PAGE), and a page's
form (PageForm) leaves out the summary, tags and publication time.
"""

from __future__ import annotations

from datetime import UTC

from flask import abort
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.articles.markdown import Rendered
from blueprints.articles.page import article_for_page
from blueprints.articles.page import render_article_preview
from blueprints.articles.publishing import change_slug
from blueprints.articles.publishing import format_of
from blueprints.articles.publishing import render_body
from blueprints.articles.publishing import set_body
from blueprints.articles.publishing import slug_taken
from blueprints.articles.publishing import tags_from_names
from blueprints.articles.publishing import unique_slug
from blueprints.staff.access import ARTICLES
from blueprints.staff.access import role_required
from blueprints.staff.editor_urls import editor_url
from blueprints.staff.editor_urls import list_url
from blueprints.staff.forms import ActionForm
from blueprints.staff.forms import ArticleForm
from blueprints.staff.forms import PageForm
from blueprints.staff.forms import clean_search
from blueprints.staff.paging import page_arg
from blueprints.staff.seo_forms import apply_seo
from blueprints.staff.seo_forms import search_preview
from blueprints.staff.seo_forms import seo_values
from blueprints.staff.views import bp
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import BodyFormat
from models import db
from models import utcnow
from signals import article_published
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

PER_PAGE = 20
FILTERS = ("all", "draft", "scheduled", "published")
SAVED = "staff/_article_saved.html"
ARTICLE = {"kind": ArticleKind.ARTICLE}
PAGE = {"kind": ArticleKind.PAGE}
# The live preview, and the search result's preview out of band.
PREVIEW = "staff/_preview_answer.html"


@bp.get("/articles")
@role_required(ARTICLES)
def articles():
    """All articles, filtered by status and searched by title, slug or summary."""
    status = request.args.get("status", "all")
    if status not in FILTERS:
        status = "all"
    q = clean_search(request.args.get("q"))
    page = db.paginate(
        _article_query(status, q),
        page=page_arg(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render(
        "staff/articles.html",
        "staff/_article_list.html",
        page=page,
        current=status,
        q=q,
        filters=FILTERS,
    )


def _article_query(status: str, q: str):
    """The articles of one status filter matching q, most recently updated first."""
    query = (
        select(Article)
        .where(Article.kind == ArticleKind.ARTICLE)
        .options(selectinload(Article.author))
    )
    if status == "draft":
        query = query.where(Article.status == ArticleStatus.DRAFT)
    elif status == "scheduled":
        query = query.where(
            Article.status == ArticleStatus.PUBLISHED, Article.published_at > utcnow()
        )
    elif status == "published":
        query = query.where(Article.visible())
    if q:
        query = query.where(
            or_(
                Article.title.icontains(q, autoescape=True),
                Article.slug.icontains(q, autoescape=True),
                Article.summary.icontains(q, autoescape=True),
            )
        )
    return query.order_by(Article.updated_at.desc(), Article.id.desc())


def _form_class(kind: ArticleKind) -> type[ArticleForm]:
    """The editor's form for an article or a page."""
    return PageForm if kind == ArticleKind.PAGE else ArticleForm


def _load(article_id: int, kind: ArticleKind) -> Article:
    """The article or page being edited: 404 when missing or of the other kind."""
    article = db.get_or_404(Article, article_id)
    if article.kind != kind:
        abort(404)
    return article


def _form_for(article: Article) -> ArticleForm:
    """The editor form filled from a saved article or page."""
    published_at = article.published_at
    return _form_class(article.kind)(
        formdata=None,
        title=article.title,
        slug=article.slug,
        summary=article.summary,
        tags=", ".join(tag.name for tag in article.tags),
        body=article.body,
        status=article.status.value,
        published_at=published_at.astimezone(UTC).replace(tzinfo=None)
        if published_at
        else None,
        comments_open=article.comments_open,
        featured=article.featured,
        **seo_values(article),
    )


def _editor(
    form: ArticleForm,
    article: Article | None,
    kind: ArticleKind,
    status: int = 200,
    saved: bool = False,
    fragment: str = "staff/_article_form.html",
):
    """The editor page, or for htmx the form alone (a save adds its status line)."""
    body_format = format_of(article) if article else _posted_format()
    if body_format == BodyFormat.HTML:
        form.body.label.text = "Body (HTML)"
    preview = render_body(form.body.data or "", True, body_format)
    return render(
        "staff/article_edit.html",
        fragment,
        status,
        form=form,
        article=article,
        kind=kind,
        body_format=body_format.value,
        preview=preview.html,
        missing_alt=preview.missing_alt,
        seo=search_preview(form, preview.html, kind),
        saved=saved,
        action_form=ActionForm(),
    )


@bp.get("/articles/new", defaults=ARTICLE)
@bp.get("/pages/new", endpoint="page_new", defaults=PAGE)
@role_required(ARTICLES)
def article_new(kind: ArticleKind):
    """An empty editor for an article or a page."""
    return _editor(_form_class(kind)(), None, kind)


@bp.get("/articles/<int:article_id>/edit", defaults=ARTICLE)
@bp.get("/pages/<int:article_id>/edit", endpoint="page_edit", defaults=PAGE)
@role_required(ARTICLES)
def article_edit(article_id: int, kind: ArticleKind):
    """The editor for a saved article or page."""
    article = _load(article_id, kind)
    return _editor(_form_for(article), article, kind)


@bp.post("/articles/preview")
@role_required(ARTICLES)
def article_preview():
    """Render the posted body with the public pipeline (the live preview)."""
    form = ArticleForm()
    if wants_fragment():
        body_format = _posted_format()
        rendered = render_body(form.body.data or "", True, body_format)
        return render(
            PREVIEW,
            PREVIEW,
            body_format=body_format.value,
            preview=rendered.html,
            missing_alt=rendered.missing_alt,
            seo=search_preview(form, rendered.html, _posted_kind()),
        )
    # Without JavaScript the Preview button re-shows the editor with the preview.
    article_id = request.form.get("article_id", type=int)
    article = db.session.get(Article, article_id) if article_id else None
    kind = article.kind if article else _posted_kind()
    if kind == ArticleKind.PAGE:
        form = PageForm()
    form.validate()
    return _editor(form, article, kind)


def _posted_kind() -> ArticleKind:
    """The kind a new item's editor posted (a page's carries kind=page)."""
    page = request.form.get("kind") == ArticleKind.PAGE.value
    return ArticleKind.PAGE if page else ArticleKind.ARTICLE


def _posted_format() -> BodyFormat:
    """The body format the editor posted, for its preview only (a save uses the
    article's own): an imported article's editor carries body_format=html."""
    html = request.form.get("body_format") == BodyFormat.HTML.value
    return BodyFormat.HTML if html else BodyFormat.MARKDOWN


def _apply(form: ArticleForm, article: Article, rendered: Rendered) -> str | None:
    """Copy the form into the article; return an error for the slug, if any."""
    wanted = form.slug.data or unique_slug(form.title.data, article.id, article.kind)
    if wanted != article.slug and slug_taken(wanted, article.id):
        return "Another article or page uses (or used) this slug. Choose another."
    article.title = form.title.data.strip()
    if article.id is None:
        article.slug = wanted
    else:
        change_slug(article, wanted)
    if not article.is_page:
        article.summary = (form.summary.data or "").strip()
        article.tags = tags_from_names(form.tag_names())
        article.featured = form.featured.data
    set_body(article, form.body.data or "", rendered)
    article.status = ArticleStatus(form.status.data)
    published_at = None if article.is_page else form.published_at.data
    if published_at is not None:
        article.published_at = published_at.replace(tzinfo=UTC)
    elif article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = utcnow()
    article.comments_open = form.comments_open.data
    apply_seo(form, article)
    return None


def _save(article_id: int | None, kind: ArticleKind):
    """Validate and save the editor form (create when article_id is None)."""
    form = _form_class(kind)()
    if not form.validate_on_submit():
        article = _load(article_id, kind) if article_id else None
        return _editor(form, article, kind, 422, fragment=SAVED)
    # Rendered before the lock: only the slug checks and the writes need it.
    rendered = render_body(form.body.data or "", body_format=_stored_format(article_id))
    with write_transaction() as transaction:
        if article_id is None:
            article = Article(author_id=current_user.id, kind=kind)
        else:
            article = _load(article_id, kind)
        was_published = article.status == ArticleStatus.PUBLISHED
        error = _apply(form, article, rendered)
        if error:
            transaction.rollback()
            form.slug.errors.append(error)
            saved = article if article.id else None
            return _editor(form, saved, kind, 422, fragment=SAVED)
        db.session.add(article)
    # A page is not news: article_published is about articles.
    if article.status == ArticleStatus.PUBLISHED and not was_published:
        if not article.is_page:
            article_published.send(current_app._get_current_object(), article=article)
    edit_url = editor_url("edit", kind, article_id=article.id)
    if not wants_fragment():
        flash(f"Saved “{article.title}”.", "success")
        return see_other(edit_url)
    response = _editor(_form_for(article), article, kind, saved=True, fragment=SAVED)
    response.headers["HX-Replace-Url"] = edit_url
    return response


def _stored_format(article_id: int | None) -> BodyFormat:
    """A saved article's body format (a new one's is Markdown)."""
    if article_id is None:
        return BodyFormat.MARKDOWN
    found = db.session.scalar(
        select(Article.body_format).where(Article.id == article_id)
    )
    return found or BodyFormat.MARKDOWN


@bp.post("/articles", defaults=ARTICLE)
@bp.post("/pages", endpoint="page_create", defaults=PAGE)
@role_required(ARTICLES)
def article_create(kind: ArticleKind):
    """Create an article or a page from the editor."""
    return _save(None, kind)


@bp.post("/articles/<int:article_id>", defaults=ARTICLE)
@bp.post("/pages/<int:article_id>", endpoint="page_update", defaults=PAGE)
@role_required(ARTICLES)
def article_update(article_id: int, kind: ArticleKind):
    """Save changes to an article or a page."""
    return _save(article_id, kind)


@bp.get("/articles/<int:article_id>/preview", defaults=ARTICLE)
@bp.get(
    "/pages/<int:article_id>/preview", endpoint="page_reader_preview", defaults=PAGE
)
@role_required(ARTICLES)
def article_reader_preview(article_id: int, kind: ArticleKind):
    """Show an article or page (draft or scheduled too) as readers will see it."""
    article = article_for_page(Article.id == article_id, Article.kind == kind)
    if article is None:
        abort(404)
    with db.session.no_autoflush:
        if article.published_at is None:
            # A draft shows the date it would get if published now; the change
            # is never flushed and is rolled back below.
            article.published_at = utcnow()
        response = render_article_preview(article)
    db.session.rollback()
    return response


@bp.get("/articles/<int:article_id>/delete", defaults=ARTICLE)
@bp.get("/pages/<int:article_id>/delete", endpoint="page_delete_confirm", defaults=PAGE)
@role_required(ARTICLES)
def article_delete_confirm(article_id: int, kind: ArticleKind):
    """Ask before deleting an article or a page."""
    article = _load(article_id, kind)
    return render_template(
        "staff/article_delete.html", article=article, form=ActionForm()
    )


@bp.post("/articles/<int:article_id>/delete", defaults=ARTICLE)
@bp.post("/pages/<int:article_id>/delete", endpoint="page_delete", defaults=PAGE)
@role_required(ARTICLES)
def article_delete(article_id: int, kind: ArticleKind):
    """Delete an article or a page with its comments, old slugs and menu links."""
    with write_transaction():
        article = _load(article_id, kind)
        title = article.title
        db.session.delete(article)
    flash(f"Deleted “{title}”.", "success")
    return see_other(list_url(kind))
