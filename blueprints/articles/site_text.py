"""Texts admins write in the settings (the footer), as short Markdown: paragraphs,
links and emphasis, through the same sanitizer as articles (no headings, tables
or images, whose anchors and sizes belong to the page around them)."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask
from markupsafe import Markup

from blueprints.articles.markdown import render_short_text


@lru_cache(maxsize=16)
def site_markdown(source: str) -> Markup:
    """Sanitized HTML of a setting's Markdown (rendered once per text and process)."""
    if not source.strip():
        return Markup("")
    return Markup(render_short_text(source))


def init_app(app: Flask) -> None:
    """Add the `site_markdown` filter."""
    app.jinja_env.filters["site_markdown"] = site_markdown
