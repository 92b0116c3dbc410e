"""The one Markdown pipeline: markdown-it-py (raw HTML off) then nh3 sanitizing.

The public article page, the feeds and the staff editor's live preview all call
render_markdown(), so what an editor previews is what readers get.
"""

from __future__ import annotations

import html as html_lib
import math
import re
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from slugify import slugify

WORDS_PER_MINUTE = 230
# Heading anchors must not clash with the ids the article page itself uses.
RESERVED_IDS = frozenset(
    {"main", "alerts", "article", "comments", "comments-title", "toc", "toc-title"}
)

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "td": {"class"},
    "th": {"class"},
    "code": {"class"},
    "ol": {"start"},
}


# Table cell alignment as classes: markdown-it writes style="text-align:...",
# which the site's CSP (style-src 'self') refuses to apply.
ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})
_ALIGN_STYLE = re.compile(r"text-align:(left|center|right)")


@dataclass
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class Rendered:
    html: str
    headings: list[Heading] = field(default_factory=list)
    words: int = 0

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.words / WORDS_PER_MINUTE))


def _demote_and_anchor(tokens, used: set[str]) -> list[Heading]:
    """Give every heading an id and demote h1 to h2 (the page title is the h1)."""
    headings: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        if token.tag == "h1":
            token.tag = "h2"
            tokens[index + 2].tag = "h2"
        inline = tokens[index + 1]
        text = "".join(
            child.content for child in inline.children or [] if child.content
        ).strip()
        base = slugify(text, max_length=60) or "section"
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        token.attrSet("id", anchor)
        headings.append(Heading(int(token.tag[1]), text, anchor))
    return headings


def _align_as_class(tokens) -> None:
    """Turn table cells' text-align styles into align-* classes."""
    for token in tokens:
        if token.type not in ("th_open", "td_open"):
            continue
        style = token.attrGet("style")
        if style is None:
            continue
        del token.attrs["style"]
        found = _ALIGN_STYLE.fullmatch(str(style))
        if found:
            token.attrSet("class", f"align-{found.group(1)}")


def _link_attributes(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "href":
        scheme = urlsplit(value).scheme.lower()
        if scheme not in {"", "http", "https", "mailto"}:
            return None
    if element == "img" and attribute == "src":
        if urlsplit(value).scheme.lower() not in {"", "http", "https"}:
            return None
    if attribute == "class":
        allowed = ALIGN_CLASSES if element in {"td", "th"} else ()
        if value not in allowed and not (
            element == "code" and re.fullmatch(r"language-[\w+-]{1,30}", value)
        ):
            return None
    return value


def sanitize(html: str) -> str:
    """Strip everything but a small set of presentational tags and safe URLs."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_link_attributes,
        link_rel=None,
        strip_comments=True,
    )
    return _mark_external_links(cleaned)


_HREF = re.compile(r'<a href="([^"]*)"')


def _mark_external_links(html: str) -> str:
    def repl(match: re.Match[str]) -> str:
        href = match.group(1)
        if urlsplit(href.replace("&amp;", "&")).netloc:
            return f'<a rel="nofollow noopener" href="{href}"'
        return match.group(0)

    return _HREF.sub(repl, html)


def render_markdown(source: str) -> Rendered:
    """Render Markdown to sanitized HTML, with heading anchors and a word count."""
    env: dict = {}
    tokens = _md.parse(source or "", env)
    headings = _demote_and_anchor(tokens, set(RESERVED_IDS))
    _align_as_class(tokens)
    html = _md.renderer.render(tokens, _md.options, env)
    words = len(re.findall(r"\w+", source or ""))
    html = _link_headings(sanitize(html))
    return Rendered(html=html, headings=headings, words=words)


_ANCHORED = re.compile(r'<h([2-6]) id="([^"]+)">(.*?)</h\1>', re.S)


def _link_headings(html: str) -> str:
    """Make each heading's text a link to itself, so readers can copy a section link.

    Added after sanitizing (the class would be stripped otherwise). A heading
    that already holds a link is left alone: links cannot nest.
    """

    def repl(match: re.Match[str]) -> str:
        level, anchor, inner = match.groups()
        if "<a " in inner:
            return match.group(0)
        return (
            f'<h{level} id="{anchor}"><a class="heading-anchor" '
            f'href="#{anchor}">{inner}</a></h{level}>'
        )

    return _ANCHORED.sub(repl, html)


_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")


def headings_from_html(html: str) -> list[Heading]:
    """The h2/h3 headings of stored body HTML, for the table of contents.

    Reading the already-sanitized HTML is cheap, so the article page needs no
    stored table of contents and never re-renders the Markdown.
    """
    return [
        Heading(int(level), html_lib.unescape(_TAG.sub("", inner)).strip(), anchor)
        for level, anchor, inner in _HEADING.findall(html or "")
    ]


_INLINE_TEXT = frozenset({"text", "code_inline", "image"})


def markdown_to_text(source: str) -> str:
    """The words of some Markdown with its markup dropped (link text, not URLs).

    For text cut out of an article's source, like a search snippet: whatever
    the cut leaves unbalanced stays as it is, as plain text.
    """
    blocks = []
    for token in _md.parse(source or ""):
        if token.type in ("fence", "code_block"):
            blocks.append(token.content)
        elif token.children is not None:
            # An image's content is its alt text.
            blocks.append(
                "".join(
                    child.content if child.type in _INLINE_TEXT else " "
                    for child in token.children
                    if child.type in _INLINE_TEXT or child.type.endswith("break")
                )
            )
    return " ".join(" ".join(blocks).split())


def excerpt_from_html(html: str, limit: int = 200) -> str:
    """Plain text of the first words of some HTML, cut at a word boundary."""
    text = " ".join(html_lib.unescape(_TAG.sub(" ", html or "")).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"
