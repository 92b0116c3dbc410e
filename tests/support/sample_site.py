"""A small site with one of everything an export carries, built with the factories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from blueprints.articles.publishing import change_slug
from blueprints.articles.publishing import set_body
from blueprints.articles.publishing import set_cover
from models import Article
from models import ArticleStatus
from models import CommentKind
from models import CommentStatus
from models import ContactMessage
from models import MenuName
from models import Redirect
from models import Role
from models import Tag
from models import User
from models import db
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_menu_item
from tests.support.factories import make_page
from tests.support.factories import make_user
from tests.support.images import add_media
from web.site_settings import save
from web.site_settings import site_settings


@dataclass(frozen=True)
class SampleSite:
    """The ids a test looks up again."""

    admin_id: int
    media_id: int
    article_id: int
    draft_id: int
    scheduled_id: int
    page_id: int
    reply_id: int


def build_site(app) -> SampleSite:
    """Articles, a page, tags, threaded comments of every status and kind, menus,
    redirects, settings, an image and a contact message."""
    media = add_media(app, alt="A yellow sun", filename="sun.jpg")
    with app.app_context():
        admin = make_user(email="ada@example.com", display_name="Ada", bio="*Hi*")
        make_user(email="ed@example.com", role=Role.EDITOR, display_name="Ed")
        db.session.get(User, admin.id).avatar_id = media.id
        article = make_article(
            "Tomatoes & basil",
            body=f"Grow **tomatoes**.\n\n![A yellow sun](/media/{media.id})\n",
            tags=["Garden", "Food"],
            author=admin,
            featured=True,
            meta_title="Tomatoes",
            meta_description="All about tomatoes.",
        )
        set_cover(article, media.id)
        change_slug(article, "tomatoes-and-basil")
        db.session.commit()
        draft = make_article("A draft", status=ArticleStatus.DRAFT, published_ago=None)
        scheduled = make_article("Soon", published_ago=-timedelta(days=2))
        page = make_page("About", slug="about")
        html = make_article("From WordPress", tags=["Food"])
        html.body_format = "html"
        set_body(html, "<p>Imported <em>HTML</em></p>")
        db.session.commit()
        root = make_comment(article, "First!", author_url="https://reader.example")
        reply = make_comment(article, "A reply ]]> with CDATA end", parent=root)
        make_comment(article, "Reply to the reply", parent=reply)
        make_comment(article, "Waiting", status=CommentStatus.PENDING)
        make_comment(article, "Buy pills", status=CommentStatus.SPAM)
        make_comment(article, "Gone", status=CommentStatus.TRASH, status_reason="x")
        make_comment(article, "Linked", kind=CommentKind.PINGBACK)
        make_comment(article, "Staff says hi", staff_author_id=admin.id)
        make_menu_item(MenuName.HEADER, article=page)
        make_menu_item(MenuName.HEADER, article=article, label="Tomatoes")
        tag_id = db.session.scalar(db.select(Tag.id).where(Tag.slug == "food"))
        make_menu_item(MenuName.FOOTER, tag_id=tag_id)
        make_menu_item(MenuName.FOOTER, url="https://example.org", label="Elsewhere")
        db.session.add(Redirect(path="/2019/05/hello/", target="/tomatoes-and-basil"))
        db.session.add(
            ContactMessage(name="Writer", email="w@example.org", message="Hello")
        )
        db.session.commit()
        with write_transaction():
            save({"SITE_TITLE": "Acme notes", "LOGO_MEDIA_ID": media.id}, admin.id)
        site_settings().reload()
        ids = SampleSite(
            admin.id,
            media.id,
            article.id,
            draft.id,
            scheduled.id,
            page.id,
            reply.id,
        )
        # Approved discussion: the pingback is not counted.
        assert db.session.get(Article, article.id).comment_count == 4
    return ids
