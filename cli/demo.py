"""`flask seed-demo`: demo articles with their images, comments, pages, menus, an
admin and a writer."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlalchemy import select

from blueprints.articles.markdown import render_short_text
from blueprints.articles.privacy import privacy_page
from blueprints.articles.publishing import set_body
from blueprints.articles.publishing import tags_from_names
from blueprints.articles.publishing import unique_slug
from cli.demo_content import DEMO_ABOUT
from cli.demo_content import DEMO_ADMIN_PROFILE
from cli.demo_content import DEMO_ARTICLES
from cli.demo_content import DEMO_COMMENTS
from cli.demo_content import DEMO_MENUS
from cli.demo_content import DEMO_SETTINGS
from cli.demo_content import DEMO_SOCIAL_IMAGE
from cli.demo_content import DEMO_WRITER
from cli.demo_images import add_demo_images
from cli.demo_images import place_images
from cli.users import new_user
from models import MENU_CHANGES
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import Comment
from models import CommentStatus
from models import Media
from models import MenuItem
from models import MenuName
from models import MenuTarget
from models import Role
from models import Tag
from models import User
from models import count_change
from models import db
from models import utcnow
from storage.transactions import write_transaction
from web.site_settings import save
from web.site_settings import site_settings

DEMO_ADMIN_EMAIL = "admin@example.com"


def _demo_credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-admin.txt"


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--articles",
    "extra",
    default=0,
    type=click.IntRange(0, 200_000),
    help="Also add this many generated articles (for benchmarks).",
)
def seed_demo(extra: int) -> None:
    """Fill an empty database with demo articles, comments and an admin account."""
    has_articles = db.session.scalar(select(func.count(Article.id))) > 0
    if has_articles and not extra:
        click.echo("The database already has articles; nothing seeded.")
        _print_demo_admin()
        return
    admin, password = _demo_admin()
    # Drawn, processed and hashed before the write below: it holds up every
    # other writer.
    images = {} if has_articles else add_demo_images()
    writer = None if has_articles else _demo_writer()
    with write_transaction():
        db.session.add(admin)
        if not has_articles:
            _give_profile(admin, DEMO_ADMIN_PROFILE, images)
            _give_profile(writer, DEMO_WRITER, images)
            _seed_articles({"admin": admin, "writer": writer}, images)
            _seed_settings(admin, images)
            _seed_pages_and_menus(admin)
        if extra:
            _seed_generated(admin, extra)
    site_settings().reload()
    if password:
        _write_demo_credentials(password)
    _print_demo_admin()


def _seed_settings(admin: User, images: dict[str, int]) -> None:
    """The demo's footer text and default social image, as if saved in Settings."""
    db.session.flush()
    values = {**DEMO_SETTINGS, "SOCIAL_IMAGE_MEDIA_ID": images[DEMO_SOCIAL_IMAGE]}
    save(values, admin.id)


def _demo_admin() -> tuple[User, str | None]:
    """The first account, or a new admin with its password (hashed, not yet added)."""
    user = db.session.scalar(select(User).order_by(User.id).limit(1))
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(12)
    return new_user(DEMO_ADMIN_EMAIL, password, Role.ADMIN, "Folio Admin"), password


def _demo_writer() -> User:
    """The demo's second author (an editor nobody signs in as), or a new one."""
    user = db.session.scalar(select(User).where(User.email == DEMO_WRITER["email"]))
    if user is not None:
        return user
    password = secrets.token_urlsafe(24)
    return new_user(
        DEMO_WRITER["email"], password, Role.EDITOR, DEMO_WRITER["display_name"]
    )


def _give_profile(user: User, profile: dict, images: dict[str, int]) -> None:
    """A bio, website and avatar for a demo account that has none yet."""
    db.session.add(user)
    if user.bio:
        return
    user.bio = profile["bio"]
    user.bio_html = render_short_text(profile["bio"])
    user.website = profile["website"]
    if profile.get("avatar") in images:
        user.avatar_id = images[profile["avatar"]]


def _write_demo_credentials(password: str) -> None:
    """Keep the demo admin's sign-in where only the site's user can read it."""
    fd = os.open(_demo_credentials_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{DEMO_ADMIN_EMAIL} {password}\n")


def _print_demo_admin() -> None:
    path = _demo_credentials_file()
    if path.exists():
        email, password = path.read_text().split()
        click.echo(f"Staff sign-in: {email} / {password}  (from {path})")


def _seed_articles(authors: dict[str, User], images: dict[str, int]) -> None:
    now = utcnow()
    articles = []
    for media in db.session.scalars(select(Media).where(Media.id.in_(images.values()))):
        if media.uploaded_by_id is None:
            media.uploaded_by = authors["admin"]
    for age, data in enumerate(reversed(DEMO_ARTICLES)):
        seo = data.get("seo", {})
        article = Article(
            title=data["title"],
            slug=unique_slug(data["title"]),
            summary=data["summary"],
            status=ArticleStatus.PUBLISHED,
            published_at=now - timedelta(days=len(DEMO_ARTICLES) - age),
            author=authors[data.get("author", "admin")],
            tags=tags_from_names(data["tags"]),
            cover_id=images.get(data.get("cover", "")),
            meta_title=seo.get("meta_title", ""),
            meta_description=seo.get("meta_description", ""),
            social_image_id=images.get(seo.get("social_image", "")),
        )
        # Added first: looking up the body's images flushes the session.
        db.session.add(article)
        set_body(article, place_images(data["body"], images))
        db.session.flush()
        articles.append(article)
    articles.reverse()
    _seed_comments(articles)


def _seed_comments(articles: list[Article]) -> None:
    now = utcnow()
    comments: list[Comment] = []
    for data in DEMO_COMMENTS:
        parent = comments[data["reply_to"]] if "reply_to" in data else None
        comment = Comment(
            article=articles[data["article"]],
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author_name=data["author_name"],
            author_email=data["author_email"],
            author_url=data["author_url"],
            body=data["body"],
            status=CommentStatus.APPROVED,
            status_reason="demo content",
            created_at=now - timedelta(hours=len(DEMO_COMMENTS) - len(comments)),
        )
        db.session.add(comment)
        db.session.flush()
        comments.append(comment)
    for article in articles:
        article.refresh_comment_stats()


def _seed_pages_and_menus(author: User) -> None:
    """The About and Privacy pages, and header and footer menus that link them."""
    about = Article(
        kind=ArticleKind.PAGE,
        title=DEMO_ABOUT["title"],
        slug=DEMO_ABOUT["slug"],
        author=author,
        comments_open=False,
        status=ArticleStatus.PUBLISHED,
        published_at=utcnow(),
    )
    db.session.add(about)
    set_body(about, DEMO_ABOUT["body"])
    privacy = privacy_page(author.id, publish=True)
    db.session.add(privacy)
    db.session.flush()
    pages = {about.title: about, privacy.title: privacy}
    tags = {tag.name: tag for tag in db.session.scalars(select(Tag))}
    for menu, entries in DEMO_MENUS.items():
        for position, (kind, *values) in enumerate(entries):
            item = MenuItem(menu=MenuName(menu), position=position)
            item.target = MenuTarget(kind)
            if item.target == MenuTarget.URL:
                item.label, item.url = values
            elif item.target == MenuTarget.TAG:
                item.tag = tags[values[0]]
            else:
                item.article = pages[values[0]]
            db.session.add(item)
    count_change(db.session.connection(), MENU_CHANGES)


def _seed_generated(author: User, count: int) -> None:
    now = utcnow()
    tags = tags_from_names([f"Topic {n}" for n in range(1, 21)])  # 20 tags
    paragraph = (
        "Folio keeps pages small and fast. This generated article exists so list "
        "pages, tag pages and search can be measured with many rows in the table. "
    )
    start = db.session.scalar(select(func.count(Article.id)))
    for n in range(count):
        number = start + n + 1
        article = Article(
            title=f"Generated article {number}",
            slug=f"generated-article-{number}",
            summary=f"Notes number {number} on publishing, performance and writing.",
            status=ArticleStatus.PUBLISHED,
            published_at=now - timedelta(days=365, minutes=number),
            author=author,
            tags=list({tags[number % 20], tags[(number * 7 + 3) % 20]}),
        )
        set_body(
            article, f"## Part one\n\n{paragraph * 3}\n\n## Part two\n\n{paragraph}"
        )
        db.session.add(article)
        if n % 1000 == 999:
            db.session.flush()
    click.echo(f"Added {count} generated articles.")
