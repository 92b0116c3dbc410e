"""Row 6: SQL statements per request, counted in-process with sqlcount."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Flask

from bench import dataset
from bench import routes
from storage.sqlcount import count_statements


def bench_app(database_url: str, instance: Path, **overrides) -> Flask:
    """A Folio app on the benchmark database, configured as the server is."""
    from app import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench-" + "s7t8u9" * 8,
        "INSTANCE_PATH": str(instance),
        "ENV": "development",
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


def count_page(app: Flask, page: routes.Page) -> dict:
    """Statements for the first (cold) and a repeat (warm) request of page.

    Each request comes from a new anonymous reader (no cookies), as in the load
    rows. Returns {"status", "cold", "warm", "statements"} or {"missing": True}.
    """
    if not routes.route_exists(app, page.path):
        return {"missing": True}
    counts = []
    seen: list[str] = []
    status = 0
    for _ in range(2):
        client = app.test_client()
        with count_statements(app) as log:
            response = client.get(page.path, headers=page.headers)
        status = response.status_code
        counts.append(len(log))
        seen = list(log)
    return {
        "status": status,
        "cold": counts[0],
        "warm": counts[1],
        "statements": [" ".join(s.split())[:300] for s in seen],
    }


def count_post(app: Flask, article_path: str, htmx: bool, marker: str) -> dict:
    """Statements for one comment POST through the form (approved, then held)."""
    from bench.posting import FormNotFound
    from bench.posting import _comment_fields
    from bench.posting import parse_comment_form

    if not routes.endpoint_exists(app, "comments.create"):
        return {"missing": True}
    headers = dict(routes.HTMX_HEADERS) if htmx else {}
    counts, statuses, seen = [], [], []
    for n in (0, 9):  # reader 0 has approved comments; post 9 is a new address
        client = app.test_client()
        html = client.get(article_path).get_data(as_text=True)
        try:
            form = parse_comment_form(html)
        except FormNotFound:
            return {"missing": True}
        data = _comment_fields(form, marker, n)
        with count_statements(app) as log:
            response = client.post(form.action, data=data, headers=headers)
        counts.append(len(log))
        statuses.append(response.status_code)
        seen.append([" ".join(s.split())[:300] for s in log])
    return {
        "status": statuses[0],
        "approved": counts[0],
        "held": counts[1],
        "statuses": statuses,
        "statements": seen,
    }


def pages_to_count(deep_page: int) -> list[routes.Page]:
    """Every page row 6 reports."""
    return [
        routes.ARTICLE_0,
        routes.ARTICLE,
        routes.ARTICLE_2000,
        *routes.list_pages(deep_page),
        routes.FRAGMENT_PAGE_2,
    ]


def count_all(
    database_url: str,
    instance: Path,
    deep_page: int,
    post_target: bool = True,
    plugins: Sequence[str] = (),
) -> dict[str, dict]:
    """Row 6 for every page (and a comment POST), keyed like the load rows.

    The POSTs go to the first POST-row article: run this before the load runs.
    """
    app = bench_app(database_url, instance, SPAM_MIN_SECONDS=0, PLUGINS=list(plugins))
    try:
        counts = {page.key: count_page(app, page) for page in pages_to_count(deep_page)}
        target = f"/articles/{dataset.post_slug(0)}" if post_target else None
        for key, htmx in (("post_plain", False), ("post_htmx", True)):
            if target is None:
                counts[key] = {"missing": True}
            else:
                counts[key] = count_post(app, target, htmx, f"count{key}")
        return counts
    finally:
        from models import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
