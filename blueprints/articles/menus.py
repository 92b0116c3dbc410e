"""The header and footer menus readers see: one query, kept per process.

base.html asks site_menus() for them on every public page. What they show
depends on the menu items and on the titles, slugs and visibility of the pages,
articles and tags they link to, all of which the site's part of every cached
page's version covers (versions._site_columns: the newest edit, the newest
visible publication, the number of articles, the ``menus`` counter and the
number of items). A page cached views render has read that part in this very
request (note_site_version), so:

- no items at all: nothing to load, the default links show;
- this process loaded the menus under the same part: they are used as they are;
- otherwise one statement loads them, kept for the next render.

A render that read no version (search, contact, error pages, signed-in staff)
loads them: one statement.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from flask import current_app
from flask import g
from flask import url_for
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import aliased

from blueprints.articles.page import reader_endpoint
from models import Article
from models import ArticleKind
from models import MenuItem
from models import MenuName
from models import MenuTarget
from models import Tag
from models import article_tags
from models import db

# Where a request keeps the site part of the version it read (one per request).
_SEEN = "folio_site_version"


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str


@dataclass(frozen=True)
class Menus:
    """The links of each menu, in order. None: the menu has no items, and the
    default links show; a menu whose links readers may not see yet is ()."""

    header: tuple[MenuLink, ...] | None = None
    footer: tuple[MenuLink, ...] | None = None


def note_site_version(site: tuple[Hashable, ...]) -> None:
    """Remember the site's version part this request read (versions._run)."""
    setattr(g, _SEEN, site)


def site_menus() -> Menus:
    """The menus for this page: kept or loaded, as the module docstring says."""
    seen = g.get(_SEEN)
    if seen is None:
        return load_menus()
    if not seen[-1]:
        return Menus()
    kept = current_app.extensions.setdefault("folio_menus", {})
    if kept.get("version") == seen:
        return kept["menus"]
    menus = load_menus()
    kept.update(version=seen, menus=menus)
    return menus


def _tag_has_articles():
    """A tag's page lists something: the tag has a visible article."""
    tagged = aliased(Article)
    return exists().where(
        article_tags.c.tag_id == Tag.id,
        article_tags.c.article_id == tagged.id,
        tagged.kind == ArticleKind.ARTICLE,
        tagged.visible(),
    )


def load_menus() -> Menus:
    """Both menus in one statement; links to drafts and to empty tags left out."""
    rows = db.session.execute(
        select(
            MenuItem.menu,
            MenuItem.label,
            MenuItem.target,
            MenuItem.url,
            Article.kind,
            Article.slug,
            Article.title,
            Tag.slug,
            Tag.name,
            and_(
                or_(MenuItem.article_id.is_(None), Article.visible()),
                or_(MenuItem.tag_id.is_(None), _tag_has_articles()),
            ),
        )
        .outerjoin(Article, Article.id == MenuItem.article_id)
        .outerjoin(Tag, Tag.id == MenuItem.tag_id)
        .order_by(MenuItem.menu, MenuItem.position, MenuItem.id)
    )
    menus: dict[MenuName, list[MenuLink]] = {}
    for menu, label, target, url, kind, slug, title, tag_slug, tag_name, shown in rows:
        links = menus.setdefault(menu, [])
        if not shown:
            continue
        if target == MenuTarget.URL:
            links.append(MenuLink(label, url))
        elif target == MenuTarget.TAG:
            tag_url = url_for("articles.tag", slug=tag_slug)
            links.append(MenuLink(label or tag_name, tag_url))
        else:
            page_url = url_for(reader_endpoint(kind), slug=slug)
            links.append(MenuLink(label or title, page_url))
    found = {name: tuple(links) for name, links in menus.items()}
    return Menus(header=found.get(MenuName.HEADER), footer=found.get(MenuName.FOOTER))
