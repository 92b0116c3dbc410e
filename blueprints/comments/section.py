"""The comment section under an article (placeholder until the comments issue lands)."""

from __future__ import annotations

from models import Article


def section_context(article: Article, **kwargs) -> dict:
    """Template context for comments/_section.html."""
    return {"comment_section": {"article": article}}
