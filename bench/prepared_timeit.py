"""Micro-benchmark of the prepared-statement paths, in-process (python -m bench.prepared_timeit).

Times the anonymous article page's version check alone, a whole cached article
GET, and a whole comment POST through the test client, on a fresh SQLite file.
Prints the median of several timeit repeats per operation, in microseconds.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import timeit
from pathlib import Path

from flask_migrate import upgrade

from app import init_migrations
from bench.statements import bench_app
from models import db

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 7


def _median_us(run, number: int) -> float:
    """The median over REPEATS of run()'s mean time in microseconds."""
    times = timeit.repeat(run, number=number, repeat=REPEATS)
    return statistics.median(times) / number * 1e6


def main() -> None:
    """Build a database, warm each path once, then time it."""
    from blueprints.articles.publishing import set_body
    from blueprints.articles.versions import article_version
    from models import Article
    from models import ArticleStatus
    from models import utcnow
    from web.form_guard import form_timestamp

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        app = bench_app(
            url, Path(folder) / "instance", SPAM_MIN_SECONDS=0, WTF_CSRF_ENABLED=False
        )
        init_migrations(app)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
            article = Article(
                title="Timed", slug="timed", status=ArticleStatus.PUBLISHED
            )
            article.published_at = utcnow()
            set_body(article, "Some *text*.")
            db.session.add(article)
            db.session.commit()
        client = app.test_client()
        # Cookie-less, so every GET is a new anonymous reader's: the cached page.
        reader = app.test_client(use_cookies=False)
        numbers = itertools.count()

        def version() -> None:
            with app.test_request_context():
                article_version("timed")

        def page() -> None:
            assert reader.get("/articles/timed").status_code == 200

        def post() -> None:
            with app.test_request_context():
                stamp = form_timestamp()
            response = client.post(
                "/articles/timed/comments",
                data={
                    "author": "Ada",
                    "email": "ada@example.org",
                    "comment": f"Comment number {next(numbers)}.",
                    "rendered_at": stamp,
                },
            )
            assert response.status_code == 303, response.status_code

        for run in (version, page, post):
            run()
        print(f"version check  {_median_us(version, 2000):8.1f} µs")
        print(f"article GET    {_median_us(page, 500):8.1f} µs")
        print(f"comment POST   {_median_us(post, 200):8.1f} µs")


if __name__ == "__main__":
    main()
