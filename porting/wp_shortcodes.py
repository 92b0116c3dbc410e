"""WordPress shortcodes and embeds as plain HTML: captions, galleries, links for embeds.

[caption] becomes a <figure> with a <figcaption>, [gallery] the images the
caller knows, [embed] and a URL alone on its line a link (the site's CSP
allows no iframes). Every other shortcode stays in the text, counted by
name, for the import report. Nothing inside <pre> or <code> is touched.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from porting.wp_autop import replace_in_html_tags

# A shortcode's opening tag, as get_shortcode_regex() reads it for any name:
# 1 an escaping "[", 2 the name, 3 the attributes, 4 a self-closing "/".
# Unlike WordPress, attributes hold no "[": an opener left unclosed then costs
# a look as far as the next "[", not to the end of the text.
_OPENING = re.compile(
    r"\[(\[?)([A-Za-z][A-Za-z0-9_-]*)(?![\w-])"
    r"([^\[\]/]*(?:/(?!\])[^\[\]/]*)*)(/?)\]",
    re.ASCII,
)
# shortcode_parse_atts(): name="value", name='value', name=value, or a bare
# value (which no shortcode converted here uses).
_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)"""
    r"""|"[^"]*"(?:\s|$)|'[^']*'(?:\s|$)|\S+(?:\s|$)""",
    re.ASCII,
)
_ODD_SPACES = re.compile("[\u00a0\u200b]+")
# img_caption_shortcode(): the image, maybe in a link, then the caption.
_CAPTIONED = re.compile(
    r"\s*+((?:<a [^>]++>\s*)?<img [^>]++>\s*(?:</a>)?)(.*)", re.DOTALL | re.IGNORECASE
)
_URL = re.compile(r"https?://[^\s<>\"]+", re.ASCII | re.IGNORECASE)
# WP_Embed::autoembed(): a URL alone on its line, or alone in its paragraph.
_ANY_URL = re.compile(r"(?:^|\s|>)https?://", re.ASCII | re.IGNORECASE)
_URL_LINE = re.compile(
    r"^(\s*)(https?://[^\s<>\"]+)(\s*)$", re.ASCII | re.IGNORECASE | re.MULTILINE
)
_URL_PARAGRAPH = re.compile(
    r"(<p(?: [^>]*)?>\s*)(https?://[^\s<>\"]+)(\s*</p>)", re.ASCII | re.IGNORECASE
)
_LINE_BREAK = "<!-- wp-line-break -->"
_CODE_TAG = re.compile(r"<(/?)(pre|code)\b[^>]*>", re.IGNORECASE)
_HIDDEN = re.compile("\ue000(\\d+)\ue001")


@dataclass
class Expanded:
    """Content with its shortcodes expanded, and what could not be."""

    html: str
    # Shortcodes left in the text as they were, by name.
    shortcodes: Counter[str] = field(default_factory=Counter)
    embeds: int = 0
    missing_gallery_images: int = 0


def parse_attributes(text: str) -> dict[str, str]:
    """A shortcode's named attributes, names lower-cased, as shortcode_parse_atts()."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(_ODD_SPACES.sub(" ", text)):
        for name, value in (match.group(1, 2), match.group(3, 4), match.group(5, 6)):
            if name is not None:
                found[name.lower()] = value
    return found


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where each <pre> or <code> element, from its start tag to its end tag, lies."""
    tags = [
        (m.start(), m.end(), bool(m.group(1)), m.group(2).lower())
        for m in _CODE_TAG.finditer(text)
    ]
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    index = 0
    while index < len(tags):
        start, _, is_end, name = tags[index]
        index += 1
        if is_end or name in unclosed:
            continue
        ends = (i for i in range(index, len(tags)) if tags[i][2] and tags[i][3] == name)
        closing = next(ends, None)
        if closing is None:
            # Never closed: neither is any later one of the same name.
            unclosed.add(name)
            continue
        spans.append((start, tags[closing][1]))
        index = closing + 1
    return spans


def outside_code(text: str, change: Callable[[str], str]) -> str:
    """Apply change to text with every <pre> and <code> element held out of its reach."""
    held: list[str] = []
    parts: list[str] = []
    position = 0
    for start, end in _code_spans(text):
        parts.append(f"{text[position:start]}\ue000{len(held)}\ue001")
        held.append(text[start:end])
        position = end
    changed = change("".join(parts) + text[position:])
    return _HIDDEN.sub(lambda match: held[int(match.group(1))], changed)


def link_html(url: str) -> str:
    """A link whose text is its own URL."""
    href = html.escape(html.unescape(url))
    return f'<a href="{href}">{href}</a>'


def _extent(
    text: str, opening: re.Match[str], known: bool, unclosed: set[str]
) -> tuple[str, int]:
    """A shortcode's content, up to its closing tag, and where it ends.

    Only a known or escaped shortcode is looked for a closing tag; unclosed
    collects the names that have none left, so each is looked for once.
    """
    escape_open, name, _, self_closing = opening.groups()
    end = opening.end()
    if self_closing or not (known or escape_open) or name in unclosed:
        return "", end
    closing = text.find(f"[/{name}]", end)
    if closing == -1:
        unclosed.add(name)
        return "", end
    return text[end:closing], closing + len(name) + 3


def _escape_end(text: str, opening: re.Match[str], end: int) -> int | None:
    """Where the "]" that escapes a "[[" shortcode is, after its content or its opening tag."""
    if not opening.group(1):
        return None
    return next((at for at in (end, opening.end()) if text.startswith("]", at)), None)


class _Expander:
    """Expands the shortcodes of one post, keeping count of what it could not do."""

    def __init__(self, attachments: Mapping[int, str]) -> None:
        self.attachments = attachments
        self.result = Expanded(html="")
        self.handlers: dict[str, Callable[[dict[str, str], str], str | None]] = {
            "caption": self.caption,
            "wp_caption": self.caption,
            "gallery": self.gallery,
            "embed": self.embed,
        }

    def expand(self, text: str) -> str:
        """Text with known shortcodes replaced, [[escaped]] ones unescaped, others counted."""
        out: list[str] = []
        position = 0
        unclosed: set[str] = set()
        while match := _OPENING.search(text, position):
            out.append(text[position : match.start()])
            escape_open, name, attributes, _ = match.groups()
            handler = self.handlers.get(name)
            content, end = _extent(text, match, handler is not None, unclosed)
            escaped = _escape_end(text, match, end)
            if escaped is not None:
                out.append(text[match.start() + 1 : escaped])
                position = escaped + 1
                continue
            replaced = (
                handler(parse_attributes(attributes), content) if handler else None
            )
            if replaced is None:
                # Only the opening tag is passed over: a shortcode inside an
                # unknown one's content is still expanded.
                self.result.shortcodes[name] += 1
                out.append(match.group(0))
                position = match.end()
                continue
            out.append(escape_open + replaced)
            position = end
        out.append(text[position:])
        return "".join(out)

    def caption(self, attributes: dict[str, str], content: str) -> str | None:
        """An image and its caption as a <figure>; the image alone when there is no caption."""
        caption = attributes.get("caption", "").strip()
        if not caption:
            found = _CAPTIONED.match(content)
            if found:
                content, caption = found.group(1), found.group(2).strip()
        content = self.expand(content).strip()
        if not caption:
            return content
        return f"<figure>{content}<figcaption>{caption}</figcaption></figure>"

    def gallery(self, attributes: dict[str, str], content: str) -> str | None:
        """The gallery's images the attachments lookup knows; None when it names none."""
        listed = attributes.get("ids") or attributes.get("include") or ""
        ids = [int(number) for number in re.findall(r"\d+", listed)]
        if not ids:
            # A bare [gallery] shows the post's attached images: left for the
            # report, since which they were is not in the content.
            return None
        images = []
        for attachment_id in ids:
            url = self.attachments.get(attachment_id)
            if url is None:
                self.result.missing_gallery_images += 1
                continue
            images.append(f'<img src="{html.escape(url)}" alt="">')
        if not images:
            return ""
        return f'<figure class="gallery">{"".join(images)}</figure>'

    def embed(self, attributes: dict[str, str], content: str) -> str | None:
        """An embedded URL as a paragraph holding a link to it."""
        url = content.strip() or attributes.get("src", "").strip()
        if not _URL.fullmatch(url):
            return None
        self.result.embeds += 1
        return f"<p>{link_html(url)}</p>"


def expand_shortcodes(text: str, attachments: Mapping[int, str]) -> Expanded:
    """Captions, galleries and embeds as HTML; every other shortcode counted and kept."""
    expander = _Expander(attachments)
    expander.result.html = outside_code(text, expander.expand)
    return expander.result


def link_bare_urls(text: str) -> tuple[str, int]:
    """URLs alone on their line or in their paragraph as links, and how many, as autoembed."""
    count = 0

    def own_line(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{match.group(1)}<p>{link_html(match.group(2))}</p>{match.group(3)}"

    def own_paragraph(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{match.group(1)}{link_html(match.group(2))}{match.group(3)}"

    def change(text: str) -> str:
        text = replace_in_html_tags(text, "\n", _LINE_BREAK)
        if _ANY_URL.search(text):
            text = _URL_LINE.sub(own_line, text)
            text = _URL_PARAGRAPH.sub(own_paragraph, text)
        return text.replace(_LINE_BREAK, "\n")

    return outside_code(text, change), count
