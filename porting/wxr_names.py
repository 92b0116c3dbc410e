"""Which XML namespaces carry WordPress data, and the short names of their elements."""

from __future__ import annotations

import re
from functools import lru_cache

WORDPRESS_URI = re.compile(r"https?://wordpress\.org/export/1\.\d+/")
EXCERPT_URI = re.compile(r"https?://wordpress\.org/export/1\.\d+/excerpt/")
CONTENT_URI = "http://purl.org/rss/1.0/modules/content/"
DC_URI = "http://purl.org/dc/elements/1.1/"


def wordpress_namespace(uri: str) -> bool:
    """True for the `wp:` namespace of any WXR version (1.0, 1.1, 1.2; http or https)."""
    return WORDPRESS_URI.fullmatch(uri) is not None


@lru_cache(maxsize=1024)
def field_name(tag: str) -> str | None:
    """An element's name by meaning ("wp:post_id", "content:encoded", "title"),
    whatever prefix the file bound; None for namespaces WXR does not use."""
    if not tag.startswith("{"):
        # "wp:x" without a namespace is an unbound prefix: not WordPress data.
        return None if ":" in tag else tag
    uri, _, local = tag[1:].partition("}")
    if wordpress_namespace(uri):
        return f"wp:{local}"
    if EXCERPT_URI.fullmatch(uri):
        return f"excerpt:{local}"
    if uri == CONTENT_URI:
        return f"content:{local}"
    if uri == DC_URI:
        return f"dc:{local}"
    return None
