"""Every public and staff page, htmx served by the site: no console error, no CSP violation.

The guard of issue 15. The console guard (conftest.py) fails a test on any
console error, uncaught error or CSP violation; these tests open every page
with FOLIO_HTMX_CDN=false (nothing aborted, nothing let through) on the demo
content plus what the staff pages list, and wait on each until htmx has run.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.articles.markdown import media_ids
from blueprints.articles.publishing import note_images
from models import Article
from models import Comment
from models import CommentStatus
from models import ContactMessage
from models import MessageStatus
from models import User
from models import db
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_comment
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes

PUBLIC = [
    "/",
    "/?page=2",
    "/articles/welcome-to-folio",
    "/articles/welcome-to-folio?replytocom={comment}",
    "/articles/welcome-to-folio?cpage=2",
    "/articles/writing-in-markdown",
    "/about",
    "/privacy",
    "/tags/folio",
    "/authors/folio-admin",
    "/authors/mina-okafor",
    "/authors/folio-admin?page=2",
    "/search",
    "/search?q=markdown",
    "/search?q=zzzz",
    "/contact/",
    "/contact/thanks",
    "/articles/welcome-to-folio/follow",
    "/articles/welcome-to-folio/follow/sent",
    "/your-comments",
    "/your-comments/sent",
    "/staff/login",
    "/staff/password/forgot",
]
STAFF = [
    "/staff/",
    "/staff/articles",
    "/staff/articles/new",
    "/staff/articles/{article}/edit",
    "/staff/articles/{article}/delete",
    "/staff/articles/{article}/preview",
    "/staff/pages",
    "/staff/pages/new",
    "/staff/pages/{page}/edit",
    "/staff/pages/{page}/delete",
    "/staff/pages/{page}/preview",
    "/staff/menus",
    "/staff/redirects",
    "/staff/comments",
    "/staff/comments?tab=approved",
    "/staff/comments?tab=spam",
    "/staff/comments?tab=trash",
    "/staff/comments?q=markdown",
    "/staff/comments/{comment}/reply",
    "/staff/comments/{comment}/subscriptions",
    "/staff/comments/{spam}/delete",
    "/staff/inbox",
    "/staff/inbox?tab=read",
    "/staff/inbox?tab=archived",
    "/staff/inbox?tab=spam",
    "/staff/inbox/{message}",
    "/staff/inbox/{message}/delete",
    "/staff/users",
    "/staff/audit",
    "/staff/settings",
    "/staff/import",
    "/staff/media/picker?use=logo",
    "/staff/password",
    "/staff/two-factor",
    "/staff/media",
    "/staff/media?q=cover&size=medium",
    "/staff/media/{cover}",
    "/staff/media/{media}",
    "/staff/media/{cover}/delete",
    "/staff/media/{media}/delete",
    "/staff/media/picker?article_id={article}",
    "/staff/media/picker?use=social&article_id={article}",
    "/staff/media/picker?use=avatar&user_id={staff}",
    "/staff/profile",
    "/staff/users/{writer}/profile",
]
NOT_FOUND = "/no-such-page"


@pytest.fixture
def site(make_live_server):
    """The demo site as `make run` seeds it (its pages and menus too), plus held,
    spam and trashed comments, contact messages in every state and a second page
    of articles and comments."""
    server = make_live_server(HTMX_CDN=False, ARTICLES_PER_PAGE=3, COMMENTS_PER_PAGE=2)
    app = server.app
    result = app.test_cli_runner().invoke(args=["seed-demo", "--articles", "3"])
    assert result.exit_code == 0, result.output
    # Two library images: one the first article shows as its cover, one unused.
    cover = add_media(app, image_bytes(colour=(160, 60, 40)), "cover.jpg", "A cover")
    unused = add_media(app, image_bytes("PNG", (640, 480), mode="RGBA"), "logo.png")
    with app.app_context():
        staff = make_user(email="staff@example.com", display_name="Sam Staff").id
        article = db.session.scalar(
            select(Article).where(Article.slug == "welcome-to-folio")
        )
        first = db.session.scalar(
            select(Comment).where(Comment.article_id == article.id).limit(1)
        )
        make_comment(article, status=CommentStatus.PENDING, parent=first)
        article.cover_id = cover.id
        note_images(article, media_ids(article.body))
        spam = make_comment(article, status=CommentStatus.SPAM, body="Buy now.")
        make_comment(article, status=CommentStatus.TRASH)
        for status in MessageStatus:
            db.session.add(
                ContactMessage(
                    name="Ada",
                    email="ada@example.org",
                    subject=f"A {status.value} message",
                    message="Hello there.",
                    status=status,
                )
            )
        db.session.commit()
        message = db.session.scalar(
            select(ContactMessage.id).where(ContactMessage.status == MessageStatus.NEW)
        )
        server.ids = {
            "article": article.id,
            "page": db.session.scalar(
                select(Article.id).where(Article.slug == "about")
            ),
            "comment": first.id,
            "spam": spam.id,
            "message": message,
            "cover": cover.id,
            "media": unused.id,
            "staff": staff,
            "writer": db.session.scalar(
                select(User.id).where(User.email == "mina@example.com")
            ),
        }
    return server


def visit(page, console_guard, url: str) -> None:
    """Open url, wait until htmx has run, and collect what the page reported."""
    answer = page.goto(url)
    assert answer is not None and answer.ok, (url, answer and answer.status)
    wait_for_htmx(page)
    page.wait_for_load_state("networkidle")  # the favicon, late images
    console_guard.flush()


def test_every_public_page(site, page, console_guard):
    for path in PUBLIC:
        visit(page, console_guard, site(path.format(**site.ids)))
    page.emulate_media(color_scheme="dark")
    visit(page, console_guard, site("/articles/welcome-to-folio"))


def test_every_staff_page(site, page, console_guard):
    page.goto(site("/staff/login"))
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    for path in STAFF:
        visit(page, console_guard, site(path.format(**site.ids)))


# Chromium logs the 404 status of the page itself; anything else still fails.
@pytest.mark.allow_console_errors(
    f"{NOT_FOUND}): Failed to load resource: the server responded with a status of 404"
)
def test_the_not_found_page(site, page, console_guard):
    answer = page.goto(site(NOT_FOUND))
    assert answer.status == 404
    wait_for_htmx(page)
    page.wait_for_load_state("networkidle")
    console_guard.flush()


def test_the_icon_browsers_ask_for_exists(site, page):
    # Chromium asks for the page's icon (or /favicon.ico) once per origin, in the
    # background; a 404 is logged as a console error (Lighthouse: "Browser errors
    # were logged to the console"). The test browser does not ask, so look here.
    page.goto(site("/"))
    icon = page.evaluate(
        "(document.querySelector('link[rel~=icon]') || {}).href || '/favicon.ico'"
    )
    answer = page.request.get(site(icon) if icon.startswith("/") else icon)
    assert answer.ok, f"{icon}: {answer.status}"
