"""Folio under gunicorn with demo content and a signed-in admin, to look at its pages.

`make screenshots` and `make lighthouse` start it. A temporary SQLite database
gets the migrations, a staff admin, `flask seed-demo --articles N` (its images
in a folder of the work directory), covers for most of the generated articles
(the demo's own images), and what the staff pages list: comments held for
moderation, spam and trash, and contact messages new, read, archived and spam. htmx is served by the site itself
(FOLIO_HTMX_CDN=false). The admin signs in through the real form; its cookies
open the staff pages.

Every installed plugin that imports is enabled (`flask db upgrade` applies
its branch too), so its pages can be looked at: the Most discussed plugin's
counts are rebuilt after seeding (the seeded comments send no signals), and
Akismet gets a made-up key and a service address where nothing listens, so
its notice shows in the comment form; no page the demo serves calls it, only
a posted comment would (and would be held).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from pathlib import Path

from bench.dataset import ROOT
from bench.dataset import migrate
from bench.http_session import Session
from bench.server import Server
from bench.server import free_port
from tests.support.html_forms import parse

ADMIN = "admin@example.com"
# An editor with two-factor sign-in on (same password): the code step's screenshot.
TWO_FACTOR_EDITOR = "editor@example.com"
# The demo's first article (cli/demo_content.py): tagged, with a threaded discussion.
ARTICLE_SLUG = "welcome-to-folio"
# The one with images in its text, one of them captioned.
IMAGES_SLUG = "writing-in-markdown"
TAG_SLUG = "folio"
# The demo's second author (cli/demo_content.py), and the article with its
# "Search & social" fields set.
AUTHOR_SLUG = "mina-okafor"
SEO_SLUG = "running-folio-on-one-small-machine"
SEARCH_WORDS = "markdown"
# Where build() hands over the demo reader's session cookie.
READER_COOKIE = "reader_cookie"
# Made up; the service address it goes with is a port nothing listens on.
AKISMET_KEY = "demo-not-a-key"


@dataclass
class DemoSite:
    """A running demo site: where it is, the admin's cookies, ids worth opening."""

    url: str
    cookies: dict[str, str]
    ids: dict[str, int] = field(default_factory=dict)
    password: str = ""  # the demo accounts' password

    def __call__(self, path: str) -> str:
        return self.url + path

    @property
    def cookie_header(self) -> str:
        """The signed-in admin's cookies as one Cookie header."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def demo_plugins() -> list[str]:
    """The installed plugins whose entry point imports, by name."""
    from plugins.loading import installed_entry_points

    names = []
    for name, entry_point in sorted(installed_entry_points().items()):
        try:
            entry_point.load()
        except Exception as exc:  # whatever the failure, leave it out
            print(f"demo site: plugin {name} left out ({exc})", file=sys.stderr)
        else:
            names.append(name)
    return names


def settings(workdir: Path, plugins: list[str]) -> dict[str, str]:
    """The environment the demo's commands and server share."""
    return {
        "FOLIO_PLUGINS": ",".join(plugins),
        "FOLIO_AKISMET_API_KEY": AKISMET_KEY,
        "FOLIO_AKISMET_URL": f"http://127.0.0.1:{free_port()}/",
        "FOLIO_DATABASE_URL": f"sqlite:///{workdir / 'folio.db'}",
        "FOLIO_SECRET_KEY": "demo-" + secrets.token_hex(24),
        "FOLIO_HTMX_CDN": "false",
        "FOLIO_OUTBOX_WORKER": "false",
        "FOLIO_SMTP_HOST": "",
        "FOLIO_RATELIMIT_STORAGE_URI": f"folio-sqlite://{workdir / 'ratelimits.sqlite'}",
        "FOLIO_MEDIA_STORAGE": str(workdir / "media"),
    }


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


def build(
    workdir: Path, env: dict[str, str], articles: int, plugins: list[str]
) -> tuple[str, dict]:
    """Migrate, add the admin, seed the demo and the staff's work; (password, ids)."""
    url = env["FOLIO_DATABASE_URL"]
    migrate(url, plugins)
    password = secrets.token_urlsafe(18)
    commands = os.environ | env | {"FLASK_APP": "app", "FOLIO_SITE_URL": "http://x"}
    _flask(commands, "users", "create", "--email", ADMIN, "--role", "admin",
           "--name", "Folio Admin", "--password-stdin", stdin=password + "\n")  # fmt: skip
    _flask(commands, "users", "create", "--email", TWO_FACTOR_EDITOR, "--role", "editor",
           "--name", "Erin Editor", "--password-stdin", stdin=password + "\n")  # fmt: skip
    # After the admin exists, so seed-demo writes no sign-in file into instance/.
    _flask(commands, "seed-demo", "--articles", str(articles))
    return password, _add_staff_work(url, workdir, env["FOLIO_SECRET_KEY"], plugins)


def _add_staff_work(
    url: str, workdir: Path, served_key: str, plugins: list[str]
) -> dict[str, int]:
    """Held, spam and trashed comments and contact messages in every state."""
    from app import create_app
    from models import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "demo-" + "k3m9" * 8,
            "INSTANCE_PATH": str(workdir / "instance-build"),
            "ENV": "development",
            "RATELIMIT_ENABLED": False,
            "PLUGINS": plugins,
            "AKISMET_API_KEY": AKISMET_KEY,
        }
    )
    with app.app_context():
        try:
            _cover_generated()
            _two_factor_on(TWO_FACTOR_EDITOR)
            ids = {**_staff_work(), **_import_runs(), **_subscriptions(served_key)}
            if "discussed" in plugins:
                _recount_discussed()
            return ids
        finally:
            db.session.remove()
            db.engine.dispose()


def _cover_generated() -> None:
    """Three of every four generated articles get one of the demo's images as cover."""
    from sqlalchemy import select

    from blueprints.articles.publishing import set_cover
    from models import Article
    from models import Media
    from models import MediaStatus
    from models import db

    images = db.session.scalars(
        select(Media.id).where(Media.status == MediaStatus.READY).order_by(Media.id)
    ).all()
    generated = db.session.scalars(
        select(Article)
        .where(Article.cover_id.is_(None), Article.slug.startswith("generated-"))
        .order_by(Article.id)
    ).all()
    for n, article in enumerate(generated):
        if images and n % 4 != 3:
            set_cover(article, images[n % len(images)])
    db.session.commit()


def _recount_discussed() -> None:
    """Most discussed: count the seeded comments, as its staff recount does."""
    from folio_discussed.activity import recount

    from models import db

    recount()
    db.session.commit()


def _two_factor_on(email: str) -> None:
    """Turn two-factor sign-in on for the account (a random key no one holds)."""
    from sqlalchemy import select

    from blueprints.staff.totp import new_secret
    from blueprints.staff.totp import seal
    from models import User
    from models import db
    from models import utcnow

    user = db.session.scalar(select(User).where(User.email == email))
    user.totp_secret = seal(new_secret())
    user.totp_enabled_at = utcnow()
    db.session.commit()


def _staff_work() -> dict[str, int]:
    from sqlalchemy import select

    from models import Article
    from models import Comment
    from models import CommentStatus
    from models import ContactMessage
    from models import MessageStatus
    from models import db
    from models import utcnow

    article = db.session.scalar(select(Article).where(Article.slug == ARTICLE_SLUG))
    first = db.session.scalar(
        select(Comment).where(Comment.article_id == article.id).order_by(Comment.id)
    )
    now = utcnow()
    held = [
        ("Priya Natarajan", "First time here: does Folio import from WordPress?",
         CommentStatus.PENDING, "first comment from this author", None),
        ("Tom Becker", "Agreed with the above, and the Markdown preview is great.",
         CommentStatus.PENDING, "first comment from this author", first),
        ("Lena Ortiz", "A question about feeds: is there one per tag?",
         CommentStatus.PENDING, "held: contains a link", None),
        ("Cheap Pills", "Buy now http://spam.example http://spam.example/2",
         CommentStatus.SPAM, "too many links", None),
        ("SEO Expert", "Great post! Visit my site for backlinks.",
         CommentStatus.SPAM, "honeypot filled", None),
        ("Old Reader", "Posted twice by mistake, please ignore.",
         CommentStatus.TRASH, "trashed by staff", None),
    ]  # fmt: skip
    for hours, (name, body, status, reason, parent) in enumerate(held, start=1):
        db.session.add(
            Comment(
                article=article,
                parent=parent,
                depth=parent.depth + 1 if parent else 0,
                author_name=name,
                author_email=name.lower().replace(" ", ".") + "@example.org",
                body=body,
                status=status,
                status_reason=reason,
                created_at=now - timedelta(hours=hours),
            )
        )
    messages = [
        ("Ada Lovelace", "Engines", "Could Folio publish a table of Bernoulli numbers?",
         MessageStatus.NEW, ""),
        ("Grace Hopper", "A bug report", "I found a moth in the search results page.",
         MessageStatus.NEW, ""),
        ("Alan Turing", "", "Is the contact form a test of whether I am human?",
         MessageStatus.READ, ""),
        ("Edsger Dijkstra", "Archived thought", "Simplicity is prerequisite for reliability.",
         MessageStatus.ARCHIVED, ""),
        ("Win Big", "You won", "Claim your prize at http://prize.example today!",
         MessageStatus.SPAM, "too many links"),
    ]  # fmt: skip
    for hours, (name, subject, text, status, reason) in enumerate(messages, start=1):
        db.session.add(
            ContactMessage(
                name=name,
                email=name.split()[0].lower() + "@example.org",
                subject=subject,
                message=text,
                status=status,
                status_reason=reason,
                created_at=now - timedelta(hours=hours),
            )
        )
    article.refresh_comment_stats()
    db.session.commit()
    message = db.session.scalar(
        select(ContactMessage.id)
        .where(ContactMessage.status == MessageStatus.NEW)
        .order_by(ContactMessage.id)
    )
    pictured = db.session.scalar(select(Article).where(Article.slug == IMAGES_SLUG))
    about = db.session.scalar(select(Article.id).where(Article.slug == "about"))
    seo = db.session.scalar(select(Article.id).where(Article.slug == SEO_SLUG))
    return {
        "page": about,
        "seo_article": seo,
        "article": article.id,
        "comment": first.id,
        "message": message,
        "images_article": pictured.id,
        "media": pictured.images[0].id,
    }


def _subscriptions(served_key: str) -> dict[str, str]:
    """A reader following replies to the first comment; their links' tokens,
    signed with the key the demo server runs with."""
    from sqlalchemy import select

    from blueprints.readers.session import SALT as READER_SALT
    from blueprints.subscriptions.tokens import confirm_token
    from blueprints.subscriptions.tokens import unsubscribe_token
    from models import Comment
    from models import ReaderAddress
    from models import Subscription
    from models import SubscriptionKind
    from models import db
    from models import utcnow
    from web.signing import serializer

    first = db.session.scalar(select(Comment).order_by(Comment.id))
    address = ReaderAddress(email=first.author_email.lower())
    db.session.add(address)
    db.session.flush()
    subscription = Subscription(
        address_id=address.id,
        kind=SubscriptionKind.REPLIES,
        article_id=first.article_id,
        comment_id=first.id,
    )
    db.session.add(subscription)
    db.session.commit()
    return {
        # Queued now: the confirmation page lists the subscription made above.
        "confirm_token": confirm_token(address, utcnow(), key=served_key),
        "unsubscribe_token": unsubscribe_token(
            address, subscription.id, key=served_key
        ),
        # The same reader's "Your comments" session, as an opened link starts it.
        READER_COOKIE: serializer(served_key, READER_SALT).dumps({"e": address.email}),
    }


def _import_runs() -> dict[str, int]:
    """Two past imports from WordPress: one done with its report, one failed."""
    from datetime import timedelta

    from sqlalchemy import select

    from models import ImportRun
    from models import ImportStatus
    from models import User
    from models import db
    from models import utcnow
    from porting.import_report import ImportReport

    report = ImportReport()
    report.count("article", "imported", 212)
    report.count("article", "converted", 3)
    report.count("page", "imported", 9)
    report.count("comment", "imported", 1841)
    report.count("comment", "skipped", 12)
    report.count("tag", "imported", 64)
    report.note("shortcode [contact-form-7]", 2)
    report.warn("post", 418, "private: imported as a draft")
    report.warn(
        "attachment", 77, "left remote: https://old.example/wp-content/uploads/map.png"
    )
    admin = db.session.scalar(select(User.id).order_by(User.id))
    now = utcnow()
    failed = ImportRun(
        format="wordpress", filename="oldblog.WordPress.2024-05-02.xml",
        status=ImportStatus.FAILED, created_by_id=admin,
        error="Not imported: line 8812, column 14: Opening and ending tag mismatch: p line 8790 and content:encoded",
        created_at=now - timedelta(days=2), started_at=now - timedelta(days=2),
        finished_at=now - timedelta(days=2),
    )  # fmt: skip
    done = ImportRun(
        format="wordpress", filename="oldblog.WordPress.2024-05-03.xml",
        options='{"authors": "match", "assign_to": null, "dry_run": false}',
        status=ImportStatus.DONE, created_by_id=admin, done_items=2245,
        total_items=2245, report=report.to_json(),
        created_at=now - timedelta(days=1), started_at=now - timedelta(days=1),
        finished_at=now - timedelta(days=1) + timedelta(minutes=3),
    )  # fmt: skip
    db.session.add_all([failed, done, *_redirects()])
    db.session.commit()
    return {"import_run": done.id, "failed_import_run": failed.id}


def _redirects() -> list:
    """Old addresses, as that import left them and as staff added one."""
    from models import Redirect

    moved = [
        (
            "/2019/05/welcome-to-our-new-blog/",
            "/articles/welcome-to-folio",
            "wordpress",
        ),
        ("/?p=12", "/articles/welcome-to-folio", "wordpress"),
        ("/category/news/", "/tags/folio", "wordpress"),
        ("/feed/", "/feed.xml", "wordpress"),
        ("/about-us/", "/about", "staff"),
    ]
    return [Redirect(path=p, target=t, source=s) for p, t, s in moved]


def sign_in(port: int, password: str) -> dict[str, str]:
    """Sign the admin in through the login form; the cookies of that session."""
    session = Session(port)
    [form] = parse(session.get("/staff/login").text).forms
    hidden = [(f["name"], f["value"]) for f in form.fields if f["type"] == "hidden"]
    answer = session.post(
        form.action, [*hidden, ("email", ADMIN), ("password", password)]
    )
    if answer.status != 303:
        raise RuntimeError(f"the demo admin could not sign in ({answer.status})")
    session.get("/staff/")  # shows, and so uses up, the "Signed in as" message
    return dict(session.cookies)


@contextmanager
def demo_site(
    workdir: Path, articles: int = 12, lifetime: float = 900.0
) -> Iterator[DemoSite]:
    """Serve the demo on 127.0.0.1 for at most lifetime seconds; yield it."""
    plugins = demo_plugins()
    env = settings(workdir, plugins)
    password, ids = build(workdir, env, articles, plugins)
    server = Server(env["FOLIO_DATABASE_URL"], workers=2, env=env)
    # Stopped by its PID when the block ends, and by this timer at the latest.
    watchdog = threading.Timer(lifetime, server.stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        server.start(workdir)
        cookies = sign_in(server.port, password)
        # The signed-in context is also a reader's who opened a "Your comments" link.
        cookies["folio_reader"] = ids.pop(READER_COOKIE)
        yield DemoSite(server.base_url, cookies, ids, password)
    finally:
        watchdog.cancel()
        server.stop()
