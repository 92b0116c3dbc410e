"""The benchmark's own data set, built in a fresh SQLite file.

A featured 2,000-word article with headings, lists and code and 50 approved,
partly threaded comments (inserted through the ORM, as the site would); the
same article with 0 and with 2,000 comments for the statement counts; an
article the comment-POST row writes to; and N generated articles, inserted in
bulk with Core (`flask seed-demo --articles N` renders and flushes each one
through the ORM, which is much slower at 10,000).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent

FEATURED_SLUG = "bench-article"
EMPTY_SLUG = "bench-article-no-comments"
BIG_SLUG = "bench-article-2000-comments"
POST_SLUG_PREFIX = "bench-post-target-"
TAG_SLUG = "topic-1"
SEARCH_WORD = "kestrel"
TOPIC_WORDS = (
    "kestrel",
    "harbour",
    "lantern",
    "meadow",
    "quartz",
    "saffron",
    "tundra",
    "violet",
    "willow",
    "zephyr",
)
READERS = 20

_WORDS = (
    "folio keeps pages small and fast because every request does only the work "
    "that belongs to it the article body is rendered once when it is saved and "
    "the comment list is cached until a comment changes state readers see the "
    "same page with or without javascript while htmx swaps in the parts that "
    "change the database is sqlite in write ahead logging mode so readers never "
    "wait for writers and a single small machine serves a busy blog"
).split()


@dataclass
class Dataset:
    """Where a built data set lives and what it holds."""

    path: Path
    articles: int
    seconds: float
    post_targets: int = 0

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def article_markdown(words: int = 2000, seed: int = 1) -> str:
    """A long article: sections with headings, paragraphs, lists, code and a table."""
    rng = random.Random(seed)
    parts: list[str] = []
    count = 0
    section = 0

    def sentence() -> str:
        picked = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
        return " ".join(picked).capitalize() + "."

    while count < words:
        section += 1
        parts.append(
            f"## Section {section}: {rng.choice(_WORDS)} and {rng.choice(_WORDS)}"
        )
        for _ in range(3):
            para = " ".join(sentence() for _ in range(5))
            parts.append(para)
        if section % 2:
            parts.append("### Details")
            parts.append("\n".join(f"- {sentence()}" for _ in range(4)))
        else:
            parts.append("\n".join(f"{n}. {sentence()}" for n in range(1, 4)))
        if section % 3 == 0:
            parts.append(
                "```python\n"
                f"def section_{section}(request):\n"
                '    """Serve the page once, cache the rest."""\n'
                "    return render(request, cached=True)\n"
                "```"
            )
        if section == 4:
            parts.append(
                "| Setting | Default |\n|---|---|\n| pages | 10 |\n| cache | on |"
            )
        count = len(re.findall(r"\w+", "\n\n".join(parts)))
    return "\n\n".join(parts) + "\n"


def migrate(url: str, plugins: Sequence[str] = ()) -> None:
    """Create the schema with `flask db upgrade`, as an operator would.

    The plugins named are enabled for it, so their branches are applied too.
    """
    env = os.environ | {
        "FOLIO_DATABASE_URL": url,
        "FOLIO_PLUGINS": ",".join(plugins),
        "FOLIO_SECRET_KEY": "bench-" + "x1y2z3" * 8,
        "FOLIO_SITE_URL": "http://127.0.0.1",
        "FLASK_APP": "app",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def build(
    path: Path,
    articles: int = 10_000,
    big_thread: int = 2000,
    featured_comments: int = 50,
    post_targets: int = 1,
    plugins: Sequence[str] = (),
) -> Dataset:
    """Migrate a new SQLite file at path (plugins' branches too) and fill it."""
    started = time.perf_counter()
    path = Path(path)
    url = f"sqlite:///{path}"
    migrate(url, plugins)
    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-" + "x1y2z3" * 8,
            "INSTANCE_PATH": str(path.parent / "instance-build"),
            "ENV": "development",
            "RATELIMIT_ENABLED": False,
        }
    )
    from models import db

    with app.app_context():
        try:
            _fill(articles, big_thread, featured_comments, post_targets)
        finally:
            db.session.remove()
            db.engine.dispose()
    return Dataset(
        path=path,
        articles=articles,
        seconds=time.perf_counter() - started,
        post_targets=post_targets,
    )


def _fill(
    articles: int, big_thread: int, featured_comments: int, post_targets: int
) -> None:
    from blueprints.articles.publishing import tags_from_names
    from models import Article
    from models import Role
    from models import User
    from models import db

    # An admin, so held comments queue a notification mail as they would live.
    author = User(
        email="bench-author@example.com",
        display_name="Bench Author",
        password_hash="!bench: no sign-in",
        role=Role.ADMIN,
    )
    db.session.add(author)
    tags = tags_from_names([f"Topic {n}" for n in range(1, 21)])
    db.session.flush()
    _bulk_articles(articles, author.id, [t.id for t in tags])
    body = article_markdown()
    featured = _article(FEATURED_SLUG, "The benchmark article", body, author, tags)
    empty = _article(
        EMPTY_SLUG, "The benchmark article, no comments", body, author, tags
    )
    big = _article(BIG_SLUG, "The benchmark article, a long thread", body, author, tags)
    # The POST row writes to articles of its own, so the pages measured stay as
    # built and no article grows without bound over the runs.
    targets = [
        _article(
            post_slug(n), f"The benchmark article for posts {n}", body, author, tags
        )
        for n in range(post_targets)
    ]
    db.session.flush()
    add_comments(featured, featured_comments)
    for target in targets:
        add_comments(target, featured_comments)
    if big_thread:
        add_comments(big, big_thread)
    for article in (featured, empty, big, *targets):
        article.refresh_comment_stats()
    db.session.commit()
    total = db.session.scalar(select(func.count(Article.id)))
    assert total == articles + 3 + post_targets


def post_slug(n: int) -> str:
    """The slug of the n-th article the POST row writes to."""
    return f"{POST_SLUG_PREFIX}{n}"


def _article(slug: str, title: str, body: str, author, tags):
    from blueprints.articles.publishing import set_body
    from models import Article
    from models import ArticleStatus
    from models import db
    from models import utcnow

    article = Article(
        slug=slug,
        title=title,
        summary="A 2,000-word article with headings, lists and code, for the benchmark.",
        status=ArticleStatus.PUBLISHED,
        published_at=utcnow() - timedelta(hours=1),
        author=author,
        tags=list(tags[:3]),
    )
    set_body(article, body)
    db.session.add(article)
    return article


def add_comments(article, count: int) -> None:
    """Add count approved comments through the ORM; about a third are replies."""
    from models import Comment
    from models import CommentStatus
    from models import db
    from models import utcnow

    rng = random.Random(count)
    now = utcnow()
    made: list[Comment] = []
    for n in range(count):
        reader = n % READERS
        parent = None
        if made and n % 3 == 2:
            parent = rng.choice(made[-10:])
            if parent.depth >= 4:
                parent = None
        comment = Comment(
            article=article,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author_name=f"Reader {reader}",
            author_email=reader_email(reader),
            author_url=f"https://reader{reader}.example.org/" if reader % 2 else "",
            body=" ".join(rng.choice(_WORDS) for _ in range(rng.randint(15, 60)))
            + "\n\nThanks for writing this.",
            status=CommentStatus.APPROVED,
            status_reason="bench data",
            created_at=now - timedelta(minutes=count - n),
            ip="",
        )
        # The parent is set as an object: one flush at the end inserts parents
        # before their replies (flushing per comment is 10x slower).
        db.session.add(comment)
        made.append(comment)
    db.session.flush()


def reader_email(reader: int) -> str:
    """The address of bench reader n (they each have approved comments)."""
    return f"reader{reader}@example.org"


def _bulk_articles(count: int, author_id: int, tag_ids: list[int]) -> None:
    """Insert count published articles with Core executemany (FTS triggers still fire)."""
    from blueprints.articles.markdown import render_markdown
    from models import Article
    from models import ArticleStatus
    from models import article_tags
    from models import db
    from models import utcnow

    if not count:
        return
    now = utcnow()
    bodies = []
    for word in TOPIC_WORDS:
        text = (
            f"## About {word}\n\n"
            + " ".join(_WORDS[:60])
            + f" {word}.\n\n- one point\n- another point\n\n## More\n\n"
            + " ".join(_WORDS[20:90])
            + "\n"
        )
        rendered = render_markdown(text)
        bodies.append((text, rendered.html, rendered.reading_minutes))
    start = db.session.scalar(select(func.coalesce(func.max(Article.id), 0)))
    table = Article.__table__
    rows = []
    links = []
    for n in range(1, count + 1):
        text, html, minutes = bodies[n % len(bodies)]
        rows.append(
            {
                "id": start + n,
                "slug": f"bench-generated-{n}",
                "title": f"Generated article {n} on {TOPIC_WORDS[n % len(TOPIC_WORDS)]}",
                "summary": f"Notes number {n} on publishing, performance and writing.",
                "body": text,
                "body_html": html,
                "reading_minutes": minutes,
                "status": ArticleStatus.PUBLISHED,
                "published_at": now - timedelta(days=1, minutes=n),
                "created_at": now,
                "updated_at": now,
                "author_id": author_id,
                "comments_open": True,
                "comment_count": 0,
                "comments_version": 0,
            }
        )
        first = tag_ids[n % len(tag_ids)]
        second = tag_ids[(n * 7 + 3) % len(tag_ids)]
        for tag_id in {first, second}:
            links.append({"article_id": start + n, "tag_id": tag_id})
    for chunk in range(0, len(rows), 2000):
        db.session.execute(insert(table), rows[chunk : chunk + 2000])
    db.session.execute(insert(article_tags), links)
    db.session.flush()
