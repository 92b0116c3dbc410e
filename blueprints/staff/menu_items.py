"""The menus as the editor sees them, and the changes it makes to them.

Every change runs in the caller's write and moves the site's ``menus``
counter (models.count_change), which every cached page's version reads: no
page shows a menu older than the last change. Positions are kept 0..n-1 in
each menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.articles.page import reader_url
from models import MENU_CHANGES
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import MenuItem
from models import MenuName
from models import MenuTarget
from models import Tag
from models import count_change
from models import db

MAX_ITEMS = 20
# The newest articles offered in "Links to"; an older one can be linked by its address.
ARTICLE_CHOICES = 100
TITLES = {MenuName.HEADER: "Header menu", MenuName.FOOTER: "Footer menu"}
DEFAULTS = {
    MenuName.HEADER: "Articles, Search and Contact",
    MenuName.FOOTER: "Articles, Search, Atom feed, Contact us and Staff",
}
KINDS = {
    MenuTarget.PAGE: "Page",
    MenuTarget.ARTICLE: "Article",
    MenuTarget.TAG: "Tag",
    MenuTarget.URL: "Link",
}


@dataclass(frozen=True)
class EditorItem:
    """A menu item as the editor lists it: what readers see, and where it leads."""

    item: MenuItem
    shown: str
    address: str
    hidden: str  # why readers do not see it ("" when they do)

    @property
    def kind(self) -> str:
        return KINDS[self.item.target]

    @classmethod
    def of(cls, item: MenuItem) -> EditorItem:
        """Describe a menu item (its article or tag loaded)."""
        if item.target == MenuTarget.URL:
            return cls(item, item.label, item.url, "")
        if item.target == MenuTarget.TAG:
            address = url_for("articles.tag", slug=item.tag.slug)
            return cls(item, item.label or item.tag.name, address, "")
        article = item.article
        hidden = "" if article.is_published else "Not shown: not published yet"
        return cls(item, item.label or article.title, reader_url(article), hidden)


def menu_items(menu: MenuName | None = None) -> dict[MenuName, list[EditorItem]]:
    """The items of each menu (or of one), in order: one statement."""
    query = (
        select(MenuItem)
        .options(joinedload(MenuItem.article), joinedload(MenuItem.tag))
        .order_by(MenuItem.position, MenuItem.id)
    )
    if menu is not None:
        query = query.where(MenuItem.menu == menu)
    found: dict[MenuName, list[EditorItem]] = {name: [] for name in MenuName}
    for item in db.session.scalars(query):
        found[item.menu].append(EditorItem.of(item))
    return found if menu is None else {menu: found[menu]}


def target_choices() -> dict[str, list[tuple[str, str]]]:
    """What an item may link to, grouped for a <select>: three statements."""
    pages = db.session.execute(
        select(Article.id, Article.title, Article.status)
        .where(Article.kind == ArticleKind.PAGE)
        .order_by(Article.title, Article.id)
    ).all()
    articles = db.session.execute(
        select(Article.id, Article.title, Article.status)
        .where(Article.kind == ArticleKind.ARTICLE)
        .order_by(Article.updated_at.desc(), Article.id.desc())
        .limit(ARTICLE_CHOICES)
    ).all()
    tags = db.session.execute(select(Tag.id, Tag.name).order_by(Tag.name)).all()
    return {
        "Link": [(MenuTarget.URL.value, "An address (type it below)")],
        "Pages": [(f"page:{r.id}", _title(r)) for r in pages],
        "Articles": [(f"article:{r.id}", _title(r)) for r in articles],
        "Tags": [(f"tag:{t.id}", t.name) for t in tags],
    }


def _title(row) -> str:
    """A page's or article's title, and "(draft)" when it is one."""
    return f"{row.title} (draft)" if row.status == ArticleStatus.DRAFT else row.title


def add_item(menu: MenuName, choice: str, label: str, url: str) -> MenuItem | None:
    """Add an item at the end of menu (None: the menu is full). choice: a
    target_choices() value, already validated."""
    count = menu_size(menu)
    if count >= MAX_ITEMS:
        return None
    item = MenuItem(menu=menu, position=count, label=label)
    kind, _, ident = choice.partition(":")
    item.target = MenuTarget(kind)
    if item.target == MenuTarget.URL:
        item.url = url
    elif item.target == MenuTarget.TAG:
        item.tag_id = int(ident)
    else:
        item.article_id = int(ident)
    db.session.add(item)
    changed()
    return item


def move_item(item: MenuItem, index: int) -> tuple[int, int]:
    """Put item at index (0 = first, clamped) of its menu; return where it went
    and how many items the menu has."""
    items = list(
        db.session.scalars(
            select(MenuItem)
            .where(MenuItem.menu == item.menu)
            .order_by(MenuItem.position, MenuItem.id)
        )
    )
    items.remove(item)
    index = max(0, min(index, len(items)))
    items.insert(index, item)
    _renumber(items)
    changed()
    return index, len(items)


def remove_item(item: MenuItem) -> None:
    """Delete item and close the gap it leaves."""
    db.session.delete(item)
    db.session.flush()
    rest = db.session.scalars(
        select(MenuItem)
        .where(MenuItem.menu == item.menu)
        .order_by(MenuItem.position, MenuItem.id)
    )
    _renumber(list(rest))
    changed()


def _renumber(items: list[MenuItem]) -> None:
    for position, each in enumerate(items):
        if each.position != position:
            each.position = position


def changed() -> None:
    """Record a change to the menus (in the caller's write)."""
    count_change(db.session.connection(), MENU_CHANGES)


def menu_size(menu: MenuName) -> int:
    """How many items menu has."""
    return db.session.scalar(
        select(func.count()).select_from(MenuItem).where(MenuItem.menu == menu)
    )
