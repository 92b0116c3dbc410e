"""A WordPress post's content as the HTML body Folio stores (before sanitizing)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from porting.wp_autop import wpautop
from porting.wp_blocks import has_blocks
from porting.wp_blocks import strip_block_delimiters
from porting.wp_shortcodes import expand_shortcodes
from porting.wp_shortcodes import link_bare_urls

# get_the_content(): "<!--more-->" or "<!--more Custom link text-->".
_MORE = re.compile(r"<!--more(.*?)?-->")
_NO_TEASER = "<!--noteaser-->"
# A multi-page post's page breaks: Folio shows the pages as one.
_NEXT_PAGE = re.compile(r"(?<!\s)\s*<!--nextpage-->\s*")

_NO_ATTACHMENTS: Mapping[int, str] = MappingProxyType({})


@dataclass
class ConvertedPost:
    """A post body as HTML, and what the conversion could not carry over."""

    html: str
    # True for block editor content (which WordPress does not autop).
    blocks: bool
    # Shortcodes left in the text, by name.
    shortcodes: Counter[str]
    # Embeds ([embed] or a URL alone on its line) turned into links.
    embeds: int
    # Gallery images whose attachment id the lookup did not know.
    missing_gallery_images: int


def remove_more_tag(text: str) -> str:
    """The content without its <!--more--> (and <!--noteaser-->) marker."""
    return _MORE.sub("", text.replace(_NO_TEASER, ""))


def split_more(raw: str) -> tuple[str | None, str]:
    """The raw text before <!--more--> as a possible summary (or None), and the whole without it.

    The summary is raw content, block delimiters and all: convert_post() it
    for HTML. None when there is no marker or nothing but markup before it.
    """
    found = _MORE.search(raw)
    summary = raw[: found.start()].rstrip() if found else ""
    if not strip_block_delimiters(summary).strip():
        return None, remove_more_tag(raw)
    return summary, remove_more_tag(raw)


def convert_post(
    raw: str, attachments: Mapping[int, str] = _NO_ATTACHMENTS
) -> ConvertedPost:
    """Convert a post's content to HTML as WordPress would show it, not yet sanitized.

    attachments maps WordPress attachment ids to image URLs, for galleries.
    Block content has its delimiters stripped; classic content is autop'd
    after its shortcodes and embeds are expanded (as WordPress expands
    embeds before autop, the figures and links come out as blocks).
    """
    blocks = has_blocks(raw)
    text = _NEXT_PAGE.sub("\n\n", remove_more_tag(raw or ""))
    if blocks:
        text = strip_block_delimiters(text)
    expanded = expand_shortcodes(text, attachments)
    text, bare_urls = link_bare_urls(expanded.html)
    if not blocks:
        text = wpautop(text)
    return ConvertedPost(
        html=text.strip(),
        blocks=blocks,
        shortcodes=expanded.shortcodes,
        embeds=expanded.embeds + bare_urls,
        missing_gallery_images=expanded.missing_gallery_images,
    )
