"""Small builders for test data; each commits and returns the object's id-bearing row."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from itertools import count

from sqlalchemy import update

from blueprints.articles.publishing import set_body
from blueprints.articles.publishing import tags_from_names
from blueprints.staff.passwords import hash_password
from models import MENU_CHANGES
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import Comment
from models import CommentStatus
from models import MenuItem
from models import MenuName
from models import MenuTarget
from models import Role
from models import User
from models import count_change
from models import db
from models import utcnow

_seq = count(1)
PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=8)
def _hashed(password: str) -> str:
    # Argon2id at real strength costs ~0.1 s; tests create hundreds of users.
    return hash_password(password)


def make_user(
    email: str | None = None, role: Role = Role.ADMIN, password: str = PASSWORD, **kw
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"staff{n}@example.com",
        display_name=kw.pop("display_name", f"Staff {n}"),
        password_hash=_hashed(password),
        role=role,
        **kw,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_article(
    title: str | None = None,
    body: str = "## One\n\nSome text.\n",
    status: ArticleStatus = ArticleStatus.PUBLISHED,
    published_ago: timedelta | None = timedelta(days=1),
    tags: list[str] = (),
    author: User | None = None,
    **kw,
) -> Article:
    n = next(_seq)
    title = title or f"Article {n}"
    article = Article(
        title=title,
        slug=kw.pop("slug", f"article-{n}"),
        summary=kw.pop("summary", f"Summary of article {n}."),
        status=status,
        published_at=None if published_ago is None else utcnow() - published_ago,
        author=author,
        tags=tags_from_names(list(tags)),
        **kw,
    )
    set_body(article, body)
    db.session.add(article)
    db.session.commit()
    return article


def make_page(title: str | None = None, **kw) -> Article:
    """A published page (About, Privacy) unless told otherwise; comments off."""
    kw.setdefault("comments_open", False)
    kw.setdefault("summary", "")
    return make_article(title, kind=ArticleKind.PAGE, **kw)


def make_menu_item(
    menu: MenuName = MenuName.HEADER,
    article: Article | None = None,
    label: str = "",
    url: str = "",
    tag_id: int | None = None,
) -> MenuItem:
    """A menu item at the end of menu: to article (page or article), a tag, or url."""
    if article is not None:
        target = MenuTarget.PAGE if article.is_page else MenuTarget.ARTICLE
    else:
        target = MenuTarget.TAG if tag_id is not None else MenuTarget.URL
    position = db.session.scalar(
        db.select(db.func.count()).select_from(MenuItem).where(MenuItem.menu == menu)
    )
    item = MenuItem(
        menu=menu,
        position=position,
        target=target,
        label=label,
        url=url,
        article_id=article.id if article is not None else None,
        tag_id=tag_id,
    )
    db.session.add(item)
    count_change(db.session.connection(), MENU_CHANGES)
    db.session.commit()
    return item


def make_comment(
    article: Article,
    body: str = "A thoughtful comment.",
    status: CommentStatus = CommentStatus.APPROVED,
    parent: Comment | None = None,
    **kw,
) -> Comment:
    n = next(_seq)
    comment = Comment(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        author_name=kw.pop("author_name", f"Reader {n}"),
        author_email=kw.pop("author_email", f"reader{n}@example.org"),
        body=body,
        status=status,
        **kw,
    )
    db.session.add(comment)
    db.session.flush()
    article.refresh_comment_stats()
    db.session.commit()
    return comment


def go_live(app, slug: str, updated_at) -> None:
    """Let a scheduled article's time come, changing nothing else (no edit)."""
    with app.app_context():
        db.session.execute(
            update(Article)
            .where(Article.slug == slug)
            .values(published_at=utcnow() - timedelta(minutes=1), updated_at=updated_at)
        )
        db.session.commit()
