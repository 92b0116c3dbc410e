"""The one Markdown pipeline: markdown-it-py (raw HTML off) then nh3 sanitizing.

The public article page, the feeds and the staff editor's live preview all call
render_markdown(), so what an editor previews is what readers get. Imported
HTML bodies (html_body.py) end the same way: finish_body().
"""

from __future__ import annotations

import html as html_lib
import math
import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from slugify import slugify

from blueprints.media.pictures import BODY_SIZES
from blueprints.media.pictures import Picture
from blueprints.media.pictures import picture_html
from plugins.hooks import markdown_parser

WORDS_PER_MINUTE = 230
# Heading anchors must not clash with the ids the article page itself uses.
RESERVED_IDS = frozenset(
    {"main", "alerts", "article", "comments", "comments-title", "toc", "toc-title"}
)


def _new_parser() -> MarkdownIt:
    """Folio's parser of article bodies, without plugins' additions."""
    return (
        MarkdownIt(
            "commonmark", {"html": False, "linkify": False, "typographer": False}
        )
        .enable("table")
        .enable("strikethrough")
    )


_md = _new_parser()
# Short texts (an author's bio) are paragraphs, emphasis, links, lists, quotes
# and code: headings and images belong to articles.
_short_md = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": False}
).disable(["heading", "lheading", "image"])

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    # Imported WordPress bodies are stored as HTML: its classic editor's
    # inline and list markup keeps its meaning (captions, galleries: figures).
    "b",
    "cite",
    "dd",
    "dl",
    "dt",
    "i",
    "ins",
    "kbd",
    "mark",
    "q",
    "small",
    "u",
    "figcaption",
    "figure",
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
    # The media library images the body shows (that exist).
    media_ids: set[int] = field(default_factory=set)
    # Images shown without alt text, by their Markdown source, for the editor.
    missing_alt: list[str] = field(default_factory=list)
    # The library images as they were when this was rendered (by id).
    pictures: Mapping[int, Picture] = field(default_factory=dict)

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
        anchor = unique_anchor(text, used)
        token.attrSet("id", anchor)
        headings.append(Heading(int(token.tag[1]), text, anchor))
    return headings


def unique_anchor(text: str, used: set[str]) -> str:
    """A heading's id: its text slugified, numbered past those used (then used)."""
    base = slugify(text, max_length=60) or "section"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


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


# A link's href, wherever it is among the (sanitized, double-quoted)
# attributes: imported HTML may put an id or a title first.
_HREF = re.compile(r'<a ((?:[a-z]+="[^"]*" )*)href="([^"]*)"')


def _mark_external_links(html: str) -> str:
    """Mark every link to another site rel="nofollow noopener"."""

    def repl(match: re.Match[str]) -> str:
        before, href = match.groups()
        if urlsplit(href.replace("&amp;", "&")).netloc:
            return f'<a rel="nofollow noopener" {before}href="{href}"'
        return match.group(0)

    return _HREF.sub(repl, html)


def render_markdown(
    source: str,
    pictures: Mapping[int, Picture] | None = None,
    image_hosts: Iterable[str] = (),
    preview: bool = False,
) -> Rendered:
    """Render Markdown to sanitized HTML, with heading anchors and a word count.

    pictures: the library images the source may show (`![alt](/media/42)`),
    rendered as <picture> with their sizes. image_hosts: the hosts whose
    images may show (FOLIO_IMAGE_HOSTS); an image from elsewhere becomes a
    link, or in the editor's preview (preview=True) a note saying why.
    """
    env: dict = {}
    md = markdown_parser(_new_parser) or _md
    tokens = md.parse(source or "", env)
    headings = _demote_and_anchor(tokens, set(RESERVED_IDS))
    _align_as_class(tokens)
    html = md.renderer.render(tokens, md.options, env)
    words = len(re.findall(r"\w+", source or ""))
    return finish_body(html, headings, words, pictures, image_hosts, preview)


def finish_body(
    html: str,
    headings: list[Heading],
    words: int,
    pictures: Mapping[int, Picture] | None,
    image_hosts: Iterable[str],
    preview: bool,
) -> Rendered:
    """Sanitize a body's HTML (its headings anchored), link the headings, place images.

    The tail every body format shares (Markdown here, HTML in html_body.py).
    """
    images = ImagePlacer(pictures or {}, frozenset(image_hosts), preview)
    html = images.place(_link_headings(sanitize(html)))
    return Rendered(
        html=html,
        headings=headings,
        words=words,
        media_ids=images.shown,
        missing_alt=images.missing_alt,
        pictures=dict(pictures or {}),
    )


def render_short_text(source: str) -> str:
    """Sanitized HTML of a short Markdown text (a bio), through the same sanitizer."""
    return sanitize(_short_md.render(source or ""))


def media_ids(source: str) -> set[int]:
    """The library image ids a Markdown source refers to (`![alt](/media/42)`)."""
    found = set()
    for token in _md.parse(source or ""):
        for child in token.children or ():
            if child.type == "image":
                match = LIBRARY_SRC.fullmatch(str(child.attrGet("src") or ""))
                if match:
                    found.add(int(match.group(1)))
    return found


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


# A library image in Markdown: `![alt](/media/42)`, the editor inserts these.
LIBRARY_SRC = re.compile(r"/media/(\d{1,10})")
# An image alone in its paragraph (group 1, its attributes), or any other.
_IMG_OR_ALONE = re.compile(r"<p><img ([^>]*)></p>|<img ([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


class ImagePlacer:
    """Turns the sanitized <img> tags into library pictures, allowed images or links."""

    def __init__(
        self, pictures: Mapping[int, Picture], hosts: frozenset[str], preview: bool
    ) -> None:
        self.pictures = pictures
        self.hosts = {host.lower() for host in hosts}
        self.preview = preview
        self.shown: set[int] = set()
        self.missing_alt: list[str] = []

    def place(self, html: str) -> str:
        """Replace every <img> of sanitized html; a captioned image alone becomes a figure."""
        return _IMG_OR_ALONE.sub(self._replace, html)

    def _replace(self, match: re.Match[str]) -> str:
        alone, raw = match.group(1), match.group(2)
        if alone is None:
            # An image inside a link (WordPress's linked images) must not
            # become a link itself: links do not nest.
            before = match.string[: match.start()]
            return self._image(raw, in_link=before.count("<a ") > before.count("</a>"))
        picture = self._picture(dict(_ATTRIBUTE.findall(alone)).get("src", ""))
        if picture is None or not picture.caption:
            return f"<p>{self._image(alone)}</p>"
        caption = html_lib.escape(picture.caption)
        return (
            f'<figure class="figure">{self._image(alone)}'
            f"<figcaption>{caption}</figcaption></figure>"
        )

    def _picture(self, src: str) -> Picture | None:
        found = LIBRARY_SRC.fullmatch(html_lib.unescape(src))
        return self.pictures.get(int(found.group(1))) if found else None

    def _image(self, raw: str, in_link: bool = False) -> str:
        attributes = dict(_ATTRIBUTE.findall(raw))
        src = html_lib.unescape(attributes.get("src", ""))
        alt = html_lib.unescape(attributes.get("alt", ""))
        picture = self._picture(src)
        if picture is not None:
            self.shown.add(picture.id)
            alt = alt or picture.alt
            if not alt:
                self.missing_alt.append(f"![]({src})")
            return picture_html(picture, BODY_SIZES, alt=alt)
        if not alt:
            self.missing_alt.append(f"![]({src})")
        host = (urlsplit(src).hostname or "").lower()
        if not host:
            if not LIBRARY_SRC.fullmatch(src):
                return f"<img {raw}>"
            if self.preview:
                return self._note(f"Image {src} is not in the media library.", src)
            return html_lib.escape(alt)
        if host in self.hosts and urlsplit(src).scheme.lower() == "https":
            return (
                f'<img {raw} loading="lazy" decoding="async" '
                'referrerpolicy="no-referrer">'
            )
        if self.preview:
            return self._note(
                f"This image from {host} will not show: readers' browsers are "
                "asked not to load images from other sites, which would learn "
                "who reads the article. Upload it to the media library, or add "
                f"{host} to FOLIO_IMAGE_HOSTS.",
                src,
            )
        label = html_lib.escape(alt or f"Image on {host}")
        if in_link:
            return f'<span class="external-image">{label}</span>'
        return (
            f'<a class="external-image" rel="nofollow noopener" '
            f'href="{html_lib.escape(src)}">{label}</a>'
        )

    def _note(self, text: str, src: str) -> str:
        return (
            f'<span class="image-blocked" data-src="{html_lib.escape(src)}">'
            f"{html_lib.escape(text)}</span>"
        )
