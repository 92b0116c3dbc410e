"""Saving articles: render the body once, keep slugs unique and old slugs working."""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import select

from blueprints.articles.markdown import Rendered
from blueprints.articles.markdown import render_markdown
from models import Article
from models import SlugRedirect
from models import Tag
from models import db


def set_body(article: Article, body: str, rendered: Rendered | None = None) -> None:
    """Store the Markdown source with its rendered, sanitized HTML and reading time.

    rendered: render_markdown(body) when the caller made it already (before
    taking the write lock, say).
    """
    rendered = rendered or render_markdown(body)
    article.body = body
    article.body_html = rendered.html
    article.reading_minutes = rendered.reading_minutes


def unique_slug(text: str, article_id: int | None = None) -> str:
    """A slug for text that no other article uses, now or as an old slug."""
    base = slugify(text, max_length=180) or "article"
    slug, n = base, 2
    while slug_taken(slug, article_id):
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
