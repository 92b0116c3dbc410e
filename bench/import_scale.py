"""Folio's pages on an imported site, small and large: `python -m bench.import_scale`.

`python -m bench.import_scale SMALL.db LARGE.db` (two databases that
`python -m bench.import_bench --keep` left, say 10,000 and 1,000,000
comments). In-process with the Flask test client, as bench/media.py times
the library page: the article with the most comments, a typical article, home,
the busiest tag, a search, and the staff moderation queue's pending tab
signed in. Anonymous pages are asked for without cookies, as a new reader
would, so they come from the page cache after the first request (as under
gunicorn). Prints p50 and p99 per page and the large/small ratio of the p50.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in {None, ""}:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402
from bench.media import bench_app  # noqa: E402

SEARCH_WORD = "garden"  # one of bench/wxr_synth.py's words
STAFF_P99_MS = 50
# Untimed requests first: templates compiled, caches and the page cache filled.
WARM_UP = 5
MAX_RATIO = 2.0


@dataclass(frozen=True)
class Timed:
    """One page's figures on one database."""

    label: str
    path: str
    status: int
    p50_ms: float
    p99_ms: float


def pages(app) -> list[tuple[str, str, bool]]:
    """(label, path, signed in) of the pages measured, found in this database."""
    from flask import url_for
    from sqlalchemy import func
    from sqlalchemy import select

    from models import Article
    from models import ArticleStatus
    from models import Tag
    from models import article_tags
    from models import db

    with app.app_context():
        published = select(Article.slug).where(
            Article.status == ArticleStatus.PUBLISHED
        )
        busiest = db.session.scalar(published.order_by(Article.comment_count.desc()))
        counts = db.session.scalars(
            select(Article.comment_count).order_by(Article.comment_count)
        ).all()
        typical = db.session.scalar(
            published.where(Article.comment_count >= counts[len(counts) // 2])
            .order_by(Article.comment_count)
            .limit(1)
        )
        tag = db.session.scalar(
            select(Tag.slug)
            .join(article_tags, article_tags.c.tag_id == Tag.id)
            .group_by(Tag.id)
            .order_by(func.count().desc())
        )
        db.session.remove()
    with app.test_request_context():
        return [
            ("article, most comments", url_for("articles.detail", slug=busiest), False),
            (
                "article, median comments",
                url_for("articles.detail", slug=typical),
                False,
            ),
            ("home", url_for("articles.index"), False),
            ("tag page, busiest tag", url_for("articles.tag", slug=tag), False),
            ("search", url_for("articles.search", q=SEARCH_WORD), False),
            (
                "staff moderation queue, pending",
                url_for("staff.comments", tab="pending"),
                True,
            ),
        ]


def time_pages(path: Path, instance: Path, requests: int) -> list[Timed]:
    """Each page of one database: untimed requests, then requests timed ones."""
    from tests.support.staff_support import staff_client

    app = bench_app(f"sqlite:///{path}", instance, SITE_SETTINGS_CHECK_SECONDS=3600)
    anonymous = app.test_client(use_cookies=False)
    staff, _ = staff_client(app)
    found = []
    for label, url, signed_in in pages(app):
        client = staff if signed_in else anonymous
        status = client.get(url).status_code
        for _ in range(WARM_UP):
            client.get(url).close()
        timed = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url).close()
            timed.append(time.perf_counter() - started)
        found.append(
            Timed(
                label,
                url,
                status,
                statistics.median(timed) * 1000,
                load.percentile(timed, 0.99) * 1000,
            )
        )
    return found


def report(small: list[Timed], large: list[Timed]) -> str:
    """The two databases side by side, then the targets."""
    lines = [
        f"{'page':<34} {'HTTP':>5} {'small p50':>10} {'p99':>7}"
        f" {'large p50':>10} {'p99':>7} {'ratio':>6}"
    ]
    targets = []
    for a, b in zip(small, large, strict=True):
        ratio = b.p50_ms / a.p50_ms if a.p50_ms else 0
        lines.append(
            f"{a.label:<34} {b.status:>5} {a.p50_ms:>10.2f} {a.p99_ms:>7.2f}"
            f" {b.p50_ms:>10.2f} {b.p99_ms:>7.2f} {ratio:>5.2f}x"
        )
        targets.append(
            _mark(ratio <= MAX_RATIO)
            + f" {a.label}: large within {MAX_RATIO:g}x of small: {ratio:.2f}x"
        )
        if a.path.startswith("/staff/"):
            targets.append(
                _mark(b.p99_ms < STAFF_P99_MS)
                + f" {a.label}: p99 < {STAFF_P99_MS} ms: {b.p99_ms:.1f} ms"
            )
    return "\n".join([*lines, "", "Targets (issue 18):", *targets])


def _mark(met: bool) -> str:
    """The bench/run.py-style marker."""
    return "  [  met  ]" if met else "  [NOT MET]"


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("small", type=Path, help="the smaller imported SQLite file")
    parser.add_argument("large", type=Path, help="the larger one")
    parser.add_argument("--requests", type=int, default=200, help="timed per page")
    args = parser.parse_args(argv)
    small = time_pages(args.small, args.small.parent / "scale-instance", args.requests)
    large = time_pages(args.large, args.large.parent / "scale-instance", args.requests)
    print(report(small, large))
    return 0


if __name__ == "__main__":
    sys.exit(main())
