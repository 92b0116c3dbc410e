"""HTML article bodies (imported from WordPress): the Markdown pipeline's tail.

An HTML body is sanitized with the same allowlist as rendered Markdown, its
headings demoted and anchored by the same rule, and its images placed by the
same ImagePlacer (markdown.finish_body), so both formats read alike.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from collections.abc import Mapping

from blueprints.articles.markdown import LIBRARY_SRC
from blueprints.articles.markdown import RESERVED_IDS
from blueprints.articles.markdown import Heading
from blueprints.articles.markdown import Rendered
from blueprints.articles.markdown import finish_body
from blueprints.articles.markdown import sanitize
from blueprints.articles.markdown import unique_anchor
from blueprints.media.pictures import Picture

# Demoted before sanitizing, which would drop an h1 (the page title is the h1).
_H1 = re.compile(r"<(/?)h1(?=[\s/>])", re.I)
# Sanitized HTML is regular: double-quoted attributes, lower-case tags.
_HEADING = re.compile(r"<h([2-6])(?: id=\"[^\"]*\")?>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]*>")
_IMG = re.compile(r"<img ([^>]*)>")
_SRC = re.compile(r'\bsrc="([^"]*)"')
# An imported link's id is dropped: it could take one the article page uses
# (respond, comment-42, reply-slot-7...), where htmx swaps answers in.
_LINK_ID = re.compile(r'(<a\b[^>]*?) id="[^"]*"')


def render_html(
    source: str,
    pictures: Mapping[int, Picture] | None = None,
    image_hosts: Iterable[str] = (),
    preview: bool = False,
) -> Rendered:
    """Render an HTML body like render_markdown renders Markdown (same arguments)."""
    html = sanitize(_H1.sub(r"<\1h2", source or ""))
    html, headings = _anchor_headings(_LINK_ID.sub(r"\1", html))
    words = len(re.findall(r"\w+", html_to_text(html)))
    return finish_body(html, headings, words, pictures, image_hosts, preview)


def _anchor_headings(html: str) -> tuple[str, list[Heading]]:
    """Give every heading of sanitized html a fresh id (imported ids are dropped)."""
    used = set(RESERVED_IDS)
    headings: list[Heading] = []

    def repl(match: re.Match[str]) -> str:
        level, inner = match.groups()
        text = html_to_text(inner)
        anchor = unique_anchor(text, used)
        headings.append(Heading(int(level), text, anchor))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    return _HEADING.sub(repl, html), headings


def html_to_text(html: str) -> str:
    """The words of some HTML, tags dropped and entities decoded, single-spaced."""
    return " ".join(html_lib.unescape(_TAG.sub(" ", html or "")).split())


def html_media_ids(source: str) -> set[int]:
    """The library image ids an HTML source shows (`<img src="/media/42">`)."""
    found = set()
    for attributes in _IMG.findall(sanitize(source or "")):
        src = _SRC.search(attributes)
        match = LIBRARY_SRC.fullmatch(html_lib.unescape(src.group(1))) if src else None
        if match:
            found.add(int(match.group(1)))
    return found
