"""Every property the stylesheet declares is one Chromium knows (a typo never applies)."""

from __future__ import annotations

from tests.test_stylesheet import LAYERS
from tests.test_stylesheet import declarations


def test_every_declared_property_is_supported(live_server, page):
    found = {}
    for name in LAYERS:
        for _, item in declarations(name):
            if item.type == "declaration" and not item.name.startswith("--"):
                found.setdefault(item.name, f"{name}:{item.source_line}")
    page.goto(live_server("/"))
    unknown = page.evaluate(
        "names => names.filter(n => !CSS.supports(n, 'inherit'))", sorted(found)
    )
    assert {name: found[name] for name in unknown} == {}
