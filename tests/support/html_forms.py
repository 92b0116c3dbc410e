"""Reading a page's POST forms the way a browser would, and filling them in.

The bad-input tests and the fault harness (bench/fault_load.py) both post through
the real forms, so field names come from the rendered HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser


@dataclass
class Form:
    """A form as rendered: where it posts and its fields with their values."""

    action: str
    fields: list[dict] = field(default_factory=list)


class FormParser(HTMLParser):
    """Collect POST forms, their fields, and links to articles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: dict | None = None
        self._select: dict | None = None
        self._hidden_depth = 0  # open elements with aria-hidden="true"
        self._div_stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "div":
            hidden = a.get("aria-hidden") == "true"
            self._div_stack.append(hidden)
            self._hidden_depth += hidden
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(action=a.get("action", ""))
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        honeypot = self._hidden_depth > 0 or a.get("tabindex") == "-1"
        if tag == "input" and a.get("name"):
            self._form.fields.append(
                {
                    "tag": "input",
                    "name": a["name"],
                    "type": a.get("type", "text").lower(),
                    "value": a.get("value", ""),
                    "required": "required" in a,
                    "honeypot": honeypot,
                    "checked": "checked" in a,
                }
            )
        elif tag == "textarea" and a.get("name"):
            self._textarea = {
                "tag": "textarea",
                "name": a["name"],
                "type": "textarea",
                "value": "",
                "required": "required" in a,
                "honeypot": honeypot,
            }
            self._form.fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = {
                "tag": "select",
                "name": a["name"],
                "type": "select",
                "value": None,
                "required": "required" in a,
                "honeypot": honeypot,
            }
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select["value"] is None or "selected" in a:
                self._select["value"] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._div_stack:
            self._hidden_depth -= self._div_stack.pop()
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data


def parse(html: str) -> FormParser:
    """Parse a page's forms and links."""
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser


def fill(form: Form, marker: str, n: int) -> list[tuple[str, str]]:
    """Values a careful reader would send: hidden fields as rendered, honeypot empty."""
    data: list[tuple[str, str]] = []
    for f in form.fields:
        name, kind = f["name"], f["type"]
        lname = name.lower()
        if f["honeypot"]:
            data.append((name, ""))
        elif kind in {"hidden", "select"}:
            data.append((name, f["value"] or ""))
        elif kind in {"submit", "button", "image", "reset", "file"}:
            continue
        elif kind in {"checkbox", "radio"}:
            if f["checked"] or f["required"]:
                data.append((name, f["value"] or "on"))
        elif kind == "textarea":
            data.append((name, f"Harness post {marker}. Saved means saved."))
        elif kind == "email" or "email" in lname:
            data.append((name, f"poster{n}@example.org"))
        elif kind == "url" or "url" in lname or "website" in lname:
            data.append((name, ""))
        elif "name" in lname:
            data.append((name, f"Poster {n}"))
        else:
            data.append((name, f"Harness {marker}"))
    return data
