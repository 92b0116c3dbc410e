"""The stylesheet's layers parse cleanly, and the app serves them as one file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinycss2

from web.stylesheet import build
from web.stylesheet import layers

CSS = Path(__file__).resolve().parents[1] / "static" / "css"
LAYERS = layers(CSS)
VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _rules(name: str) -> list:
    return tinycss2.parse_stylesheet(
        (CSS / name).read_text(), skip_comments=True, skip_whitespace=True
    )


def _style_rules(rules: list):
    """Every qualified rule, those inside @media and @supports included."""
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.content is not None:
            inner = tinycss2.parse_rule_list(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            yield from _style_rules(inner)


def declarations(name: str) -> list:
    """Every declaration of a layer, with the rule it sits in."""
    found = []
    for rule in _style_rules(_rules(name)):
        for item in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            found.append((rule, item))
    return found


def test_the_index_imports_every_layer_once():
    files = sorted(p.name for p in CSS.glob("*.css") if p.name != "folio.css")
    assert sorted(LAYERS) == files and len(set(LAYERS)) == len(LAYERS)


@pytest.mark.parametrize("name", LAYERS)
def test_a_layer_parses_without_errors(name):
    errors = [r for r in _rules(name) if r.type == "error"]
    assert not errors, [f"{e.source_line}: {e.message}" for e in errors]


@pytest.mark.parametrize("name", LAYERS)
def test_no_rule_is_nested_by_accident(name):
    """A missing brace makes the next rules nested ones, which never match."""
    nested = [
        f"line {item.source_line} inside {tinycss2.serialize(rule.prelude).strip()}"
        for rule, item in declarations(name)
        if item.type in ("qualified-rule", "at-rule")
    ]
    assert not nested
    broken = [
        f"line {item.source_line}: {item.message}"
        for _, item in declarations(name)
        if item.type == "error"
    ]
    assert not broken


def test_every_custom_property_used_is_defined():
    defined, used = set(), {}
    for name in LAYERS:
        for _, item in declarations(name):
            if item.type != "declaration":
                continue
            if item.name.startswith("--"):
                defined.add(item.name)
            for var in VAR.findall(tinycss2.serialize(item.value)):
                used.setdefault(var, f"{name}:{item.source_line}")
    assert {v: where for v, where in used.items() if v not in defined} == {}


def test_the_app_serves_the_layers_as_one_file(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    bundle = build(CSS)
    assert href == f"/assets/folio-{bundle.digest}.css"
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.data == bundle.css
    for name in LAYERS:
        assert f"/* {name} */".encode() in response.data
    assert (
        client.get(href, headers={"If-None-Match": f'"{bundle.digest}"'}).status_code
        == 304
    )


def test_an_old_hash_still_gets_the_stylesheet_but_revalidates(client):
    response = client.get("/assets/folio-0123456789abcdef.css")
    assert (
        response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    )
