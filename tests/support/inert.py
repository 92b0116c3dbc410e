"""assert_inert(): a page that shows untrusted content runs nothing from it."""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser

from tests.support.xss_corpus import TEMPLATE_RESULTS

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcdoc",
    "ping",
}
# Elements a page may hold only as many of as the layout itself renders.
COUNTED_TAGS = {
    "script",
    "link",
    "meta",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "base",
    "style",
    "iframe",
    "frame",
    "object",
    "embed",
    "svg",
    "math",
    "video",
    "audio",
    "details",
    "marquee",
    "noscript",
}
# Script elements browsers never execute (structured data such as JSON-LD).
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
_NOT_URL_TEXT = re.compile(r"[\x00-\x20]+")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self.data_blocks: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {k.lower(): (v or "") for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            kind = attributes.get("type", "").lower()
            self._in_script = "data" if kind in DATA_SCRIPT_TYPES else "code"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script == "code" and data.strip():
            self.script_text.append(data)
        elif self._in_script == "data":
            self.data_blocks.append(data)


def elements(html: str) -> _Elements:
    """Parse html into its elements (tag, attributes)."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def _profile(parsed: _Elements) -> Counter:
    profile = Counter()
    for tag, attrs in parsed.elements:
        if tag in COUNTED_TAGS:
            profile[f"<{tag}>"] += 1
        for name in attrs:
            if name.startswith(("hx-", "data-hx-")):
                profile[name] += 1
        if attrs.get("id") == "alerts":
            profile["#alerts"] += 1
    return profile


def problems(html: str, baseline_html: str) -> list[str]:
    """What in html could run code, compared with a benign render of the page."""
    page, baseline = elements(html), elements(baseline_html)
    found = []
    extra = _profile(page) - _profile(baseline)
    if extra:
        found.append(f"elements or htmx attributes beyond the layout's: {dict(extra)}")
    if page.script_text:
        found.append(f"inline script: {page.script_text[:2]}")
    for block in page.data_blocks:
        # Content that broke out of a JSON-LD block leaves it unparseable.
        try:
            json.loads(block)
        except ValueError:
            found.append(f"broken data script: {block[:80]!r}")
    for tag, attrs in page.elements:
        if attrs.get("id") == "xss":
            found.append(f"injected element <{tag} id=xss>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"event handler {name} on <{tag}>")
            if name == "style":
                found.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES:
                url = _NOT_URL_TEXT.sub("", value).lower()
                if url.startswith(("javascript:", "vbscript:", "data:text")):
                    found.append(f"{name}={value!r} on <{tag}>")
    for result in TEMPLATE_RESULTS:
        if result in html and result not in baseline_html:
            found.append(f"template syntax evaluated: {result!r} in the page")
    return found


def assert_inert(html: str, baseline_html: str, label: str = "") -> None:
    """Fail when html holds anything from untrusted content that could run."""
    found = problems(html, baseline_html)
    assert not found, f"{label}: {found}"
