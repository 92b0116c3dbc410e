"""Row 6: SQL statements per request, counted in-process with sqlcount."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from bench import routes
from sqlcount import count_statements


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


def pages_to_count(deep_page: int) -> list[routes.Page]:
    """Every page row 6 reports."""
    return [
        routes.ARTICLE_0,
        routes.ARTICLE,
        routes.ARTICLE_2000,
        *routes.list_pages(deep_page),
        routes.FRAGMENT_PAGE_2,
    ]


def count_all(database_url: str, instance: Path, deep_page: int) -> dict[str, dict]:
    """Row 6 for every page, keyed like the load rows."""
    app = bench_app(database_url, instance)
    try:
        return {page.key: count_page(app, page) for page in pages_to_count(deep_page)}
    finally:
        from models import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
