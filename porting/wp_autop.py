"""WordPress's wpautop(): classic post text with blank lines turned into HTML paragraphs.

A port of wpautop() and wp_replace_in_html_tags() from WordPress's
wp-includes/formatting.php (6.x), step for step, so imported classic posts
read as they did on the WordPress site. Every pattern is compiled with
re.ASCII: PHP's PCRE (without /u) takes \\s for ASCII whitespace only, and a
no-break space must not count as an empty paragraph.
"""

from __future__ import annotations

import re

_A = re.ASCII

ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol"
    r"|li|pre|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend"
    r"|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details"
    r"|menu|summary)"
)

# get_html_split_regex(): an element, a comment or a CDATA section, each of
# which may run to the end of the text when it is never closed.
_COMMENT = r"!(?:-(?!->)[^-]*+)*+(?:-->)?"
_CDATA = r"!\[CDATA\[[^\]]*+(?:\](?!\]>)[^\]]*+)*+(?:\]\]>)?"
_HTML_SPLIT = re.compile(
    rf"(<(?:(?=!--){_COMMENT}|(?=!\[CDATA\[){_CDATA}|[^>]*>?))", re.ASCII
)

# A pattern that opens with \s* starts only where a whitespace run starts
# ((?<!\s)): the match is the same, without retrying inside every long run.
_MANY_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", _A)
_BLOCK_OPEN = re.compile(rf"(<{ALL_BLOCKS}[\s/>])", _A)
_BLOCK_CLOSE = re.compile(rf"(</{ALL_BLOCKS}>)", _A)
_HR = re.compile(r"(<hr\s*?/?>)", _A)
_OPTION_BEFORE = re.compile(r"(?<!\s)\s*<option", _A)
_OPTION_AFTER = re.compile(r"</option>\s*", _A)
_OBJECT_OPEN = re.compile(r"(<object[^>]*>)\s*", _A)
_OBJECT_CLOSE = re.compile(r"(?<!\s)\s*</object>", _A)
_PARAM_EMBED = re.compile(r"(?<!\s)\s*(</?(?:param|embed)[^>]*>)\s*", _A)
_MEDIA_OPEN = re.compile(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", _A)
_MEDIA_CLOSE = re.compile(r"(?<!\s)\s*([<\[]/(?:audio|video)[>\]])", _A)
_SOURCE_TRACK = re.compile(r"(?<!\s)\s*(<(?:source|track)[^>]*>)\s*", _A)
_FIGCAPTION_OPEN = re.compile(r"(?<!\s)\s*(<figcaption[^>]*>)", _A)
_FIGCAPTION_CLOSE = re.compile(r"</figcaption>\s*", _A)
_MANY_NEWLINES = re.compile(r"\n\n+", _A)
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n", _A)

_EMPTY_P = re.compile(r"<p>\s*</p>", _A)
_UNCLOSED_P = re.compile(r"<p>([^<]+)</(div|address|form)>", _A)
_WRAPPED_BLOCK = re.compile(rf"<p>\s*(</?{ALL_BLOCKS}[^>]*>)\s*</p>", _A)
_WRAPPED_LI = re.compile(r"<p>(<li.+?)</p>", _A)
_WRAPPED_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", _A | re.IGNORECASE)
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(</?{ALL_BLOCKS}[^>]*>)", _A)
_P_AFTER_BLOCK = re.compile(rf"(</?{ALL_BLOCKS}[^>]*>)\s*</p>", _A)

_KEEP_NEWLINES = re.compile(r"<(script|style|svg|math).*?</\1>", _A | re.DOTALL)
# WordPress's (?<!<br />)\s*\n, matched from a whitespace run's start only:
# a run right after <br /> keeps its first character (group 1), as there.
_NEWLINE = re.compile(r"(?<!<br />)(?<!\s)\s*\n|(?<=<br />)(\s)\s*\n", _A)
_BR_AFTER_BLOCK = re.compile(rf"(</?{ALL_BLOCKS}[^>]*>)\s*<br />", _A)
_BR_BEFORE_BLOCK = re.compile(
    r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", _A
)
_LAST_NEWLINE = re.compile(r"\n</p>$", _A)

# Placeholders as WordPress spells them; the spaces around wpnl matter.
_TAG_NEWLINE = " <!-- wpnl --> "
_KEPT_NEWLINE = "<WPPreserveNewline />"
# What PHP's trim() strips: no Unicode spaces, unlike str.strip().
_PHP_TRIM = " \t\n\r\0\x0b"


def replace_in_html_tags(text: str, needle: str, replacement: str) -> str:
    """Replace needle inside HTML tags, comments and CDATA only, never in text."""
    parts = _HTML_SPLIT.split(text)
    for index in range(1, len(parts), 2):
        parts[index] = parts[index].replace(needle, replacement)
    return "".join(parts)


def _hide_pre(text: str) -> tuple[str, dict[str, str]]:
    """Swap each <pre> element for a placeholder, so autop leaves its lines alone."""
    if "<pre" not in text:
        return text, {}
    *parts, last = text.split("</pre>")
    kept: dict[str, str] = {}
    hidden = []
    for part in parts:
        start = part.find("<pre")
        if start == -1:
            # Malformed HTML: a </pre> with no <pre> before it.
            hidden.append(part)
            continue
        name = f"<pre wp-pre-tag-{len(kept)}></pre>"
        kept[name] = part[start:] + "</pre>"
        hidden.append(part[:start] + name)
    hidden.append(last)
    return "".join(hidden), kept


def _space_blocks(text: str) -> str:
    """Put blank lines around block tags and pull inline media parts together."""
    text = _MANY_BR.sub("\n\n", text)
    text = _BLOCK_OPEN.sub("\n\n\\1", text)
    text = _BLOCK_CLOSE.sub("\\1\n\n", text)
    text = _HR.sub("\\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = replace_in_html_tags(text, "\n", _TAG_NEWLINE)
    if "<option" in text:
        text = _OPTION_BEFORE.sub("<option", text)
        text = _OPTION_AFTER.sub("</option>", text)
    if "</object>" in text:
        text = _OBJECT_OPEN.sub("\\1", text)
        text = _OBJECT_CLOSE.sub("</object>", text)
        text = _PARAM_EMBED.sub("\\1", text)
    if "<source" in text or "<track" in text:
        text = _MEDIA_OPEN.sub("\\1", text)
        text = _MEDIA_CLOSE.sub("\\1", text)
        text = _SOURCE_TRACK.sub("\\1", text)
    if "<figcaption" in text:
        text = _FIGCAPTION_OPEN.sub("\\1", text)
        text = _FIGCAPTION_CLOSE.sub("</figcaption>", text)
    return _MANY_NEWLINES.sub("\n\n", text)


def _wrap_paragraphs(text: str) -> str:
    """Wrap every run of text between blank lines in <p>, then unwrap the blocks."""
    paragraphs = [part for part in _PARAGRAPH_SPLIT.split(text) if part]
    text = "".join(f"<p>{part.strip(chr(10))}</p>\n" for part in paragraphs)
    text = _EMPTY_P.sub("", text)
    text = _UNCLOSED_P.sub("<p>\\1</p></\\2>", text)
    text = _WRAPPED_BLOCK.sub("\\1", text)
    text = _WRAPPED_LI.sub("\\1", text)
    text = _WRAPPED_BLOCKQUOTE.sub("<blockquote\\1><p>", text)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _P_BEFORE_BLOCK.sub("\\1", text)
    return _P_AFTER_BLOCK.sub("\\1", text)


def _line_breaks(text: str) -> str:
    """Turn the remaining single newlines into <br />, outside script, style, svg, math."""
    text = _KEEP_NEWLINES.sub(
        lambda match: match.group(0).replace("\n", _KEPT_NEWLINE), text
    )
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = _NEWLINE.sub(lambda match: (match.group(1) or "") + "<br />\n", text)
    return text.replace(_KEPT_NEWLINE, "\n")


def wpautop(text: str, br: bool = True) -> str:
    """Paragraphs for blank lines and, when br, <br /> for single newlines, as WordPress."""
    if not text.strip(_PHP_TRIM):
        return ""
    text, pre_tags = _hide_pre(text + "\n")
    text = _wrap_paragraphs(_space_blocks(text))
    if br:
        text = _line_breaks(text)
    text = _BR_AFTER_BLOCK.sub("\\1", text)
    text = _BR_BEFORE_BLOCK.sub("\\1", text)
    text = _LAST_NEWLINE.sub("</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(_TAG_NEWLINE, "\n").replace("<!-- wpnl -->", "\n")
    return text
