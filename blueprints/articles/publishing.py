"""Saving articles: render the body once, keep slugs unique and old slugs working."""

from __future__ import annotations

from flask import current_app
from slugify import slugify
from sqlalchemy import select
from sqlalchemy import update

from blueprints.articles.html_body import html_media_ids
from blueprints.articles.html_body import render_html
from blueprints.articles.markdown import Rendered
from blueprints.articles.markdown import media_ids
from blueprints.articles.markdown import render_markdown
from blueprints.media.pictures import load_pictures
from models import Article
from models import ArticleKind
from models import BodyFormat
from models import Media
from models import SlugRedirect
from models import Tag
from models import User
from models import db
from models import media_uses
from models import utcnow

# Each body format's renderer and the library images its source names.
_RENDERERS = {
    BodyFormat.MARKDOWN: (render_markdown, media_ids),
    BodyFormat.HTML: (render_html, html_media_ids),
}


def format_of(article: Article) -> BodyFormat:
    """The article's body format; a new one (not flushed yet) is Markdown."""
    return article.body_format or BodyFormat.MARKDOWN


def body_media_ids(
    source: str, body_format: BodyFormat = BodyFormat.MARKDOWN
) -> set[int]:
    """The library image ids a body of this format names."""
    return _RENDERERS[body_format][1](source)


def render_body(
    source: str,
    preview: bool = False,
    body_format: BodyFormat = BodyFormat.MARKDOWN,
) -> Rendered:
    """Render a body of its format: its library images looked up in one query."""
    render, find_ids = _RENDERERS[body_format]
    return render(
        source,
        pictures=load_pictures(find_ids(source)),
        image_hosts=current_app.config["IMAGE_HOSTS"],
        preview=preview,
    )


def set_body(article: Article, body: str, rendered: Rendered | None = None) -> None:
    """Store the body source (of the article's format) with its rendered,
    sanitized HTML and reading time.

    rendered: render_body(body) when the caller made it already (before
    taking the write lock, say). If one of its images changed since (a file
    replaced, words edited, the image deleted), the body is rendered again:
    stored HTML never names files that are gone.
    """
    body_format = format_of(article)
    if rendered is None or _images_changed(body, body_format, rendered):
        rendered = render_body(body, body_format=body_format)
    article.body = body
    article.body_html = rendered.html
    article.reading_minutes = rendered.reading_minutes
    note_images(article, rendered.media_ids)


def _images_changed(body: str, body_format: BodyFormat, rendered: Rendered) -> bool:
    """True when the library images body names are not as rendered."""
    ids = body_media_ids(body, body_format)
    return bool(ids) and load_pictures(ids) != rendered.pictures


def note_images(article: Article, body_ids: set[int]) -> None:
    """Record which library images the article shows (body, cover, social image)."""
    ids = set(body_ids) | {article.cover_id, article.social_image_id}
    ids.discard(None)
    if not ids:
        article.images = []
        return
    # The article may not be in the session yet (a new one): no autoflush.
    with db.session.no_autoflush:
        found = db.session.scalars(select(Media).where(Media.id.in_(ids)))
        article.images = list(found)


def set_cover(article: Article, media_id: int | None) -> None:
    """Give the article a cover image (None: none), recorded as one it shows.

    Its updated_at moves, so every cached page and feed showing it changes.
    """
    _set_image(article, "cover", media_id)


def set_social_image(article: Article, media_id: int | None) -> None:
    """Give the article the image link previews show (None: its cover), like set_cover."""
    _set_image(article, "social_image", media_id)


def _set_image(article: Article, name: str, media_id: int | None) -> None:
    """Set the article's image relationship name (and its id column)."""
    if getattr(article, f"{name}_id") == media_id:
        return
    media = db.session.get(Media, media_id) if media_id is not None else None
    if media_id is not None and media is None:
        raise LookupError(f"no image {media_id} in the library")
    setattr(article, name, media)
    setattr(article, f"{name}_id", media_id)
    note_images(article, body_media_ids(article.body, format_of(article)))
    article.updated_at = utcnow()


def rerender_articles_showing(media_id: int) -> None:
    """Render again every article showing an image whose files or words changed.

    Their updated_at moves, so every cached page showing them is rendered anew;
    so does that of the articles whose byline shows it (their author's avatar).
    """
    showing = select(media_uses.c.article_id).where(media_uses.c.media_id == media_id)
    for article in db.session.scalars(select(Article).where(Article.id.in_(showing))):
        set_body(article, article.body)
        article.updated_at = utcnow()
    authors = select(User.id).where(User.avatar_id == media_id)
    db.session.execute(
        update(Article)
        .where(Article.author_id.in_(authors))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# Addresses the site may use later, beside those its routes use now: a page
# at /<slug> may take none of them. ("authors" is a route now, /authors/<slug>,
# and stays listed here should that route ever move.)
RESERVED_SLUGS = frozenset({"authors", "account", "api", "pages"})


def reserved_slugs() -> frozenset[str]:
    """The slugs a page may not have: every first path segment of the app's
    routes (staff, media, tags, search...) and RESERVED_SLUGS."""
    taken = set(RESERVED_SLUGS)
    for rule in current_app.url_map.iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and "<" not in first:
            taken.add(first)
    return frozenset(taken)


def unique_slug(
    text: str, article_id: int | None = None, kind: ArticleKind = ArticleKind.ARTICLE
) -> str:
    """A slug for text that no other article uses, now or as an old slug (and,
    for a page, no route of the site)."""
    base = slugify(text, max_length=180) or kind.value
    reserved = reserved_slugs() if kind == ArticleKind.PAGE else frozenset()
    slug, n = base, 2
    while slug in reserved or slug_taken(slug, article_id):
        slug, n = f"{base}-{n}", n + 1
    return slug


def slug_taken(slug: str, article_id: int | None) -> bool:
    """True when another article has this slug, now or as an old one."""
    owner = db.session.scalar(select(Article.id).where(Article.slug == slug))
    if owner is not None and owner != article_id:
        return True
    old = db.session.scalar(
        select(SlugRedirect.article_id).where(SlugRedirect.slug == slug)
    )
    return old is not None and old != article_id


def change_slug(article: Article, new_slug: str) -> None:
    """Rename an article's slug, keeping the old one as a redirect."""
    if article.slug == new_slug:
        return
    reclaimed = db.session.scalar(
        select(SlugRedirect).where(
            SlugRedirect.slug == new_slug, SlugRedirect.article_id == article.id
        )
    )
    if reclaimed is not None:
        db.session.delete(reclaimed)
    if article.slug:
        db.session.add(SlugRedirect(slug=article.slug, article=article))
    article.slug = new_slug


def tags_from_names(names: list[str]) -> list[Tag]:
    """Find or create the tags with these names (deduplicated by slug)."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())[:64]
        slug = slugify(name, max_length=80)
        if slug and slug not in wanted:
            wanted[slug] = name
    if not wanted:
        return []
    existing = {
        tag.slug: tag
        for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(wanted)))
    }
    tags = []
    for slug, name in wanted.items():
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(name=name, slug=slug)
            db.session.add(tag)
        tags.append(tag)
    return tags
