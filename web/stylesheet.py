"""The stylesheet: the layer files static/css/folio.css imports, served as one.

static/css/folio.css lists the layers (tokens, base, layout, components,
public, staff) with @import, in order. At start-up they are joined into one
bundle, served at /assets/folio-<hash>.css: one request instead of a chain of
imports, and a URL that changes with the content, so browsers may keep it a
year. In debug mode the bundle is rebuilt on every request, so an edited file
shows at the next reload.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from flask import url_for

INDEX = "folio.css"
IMPORT = re.compile(r'^@import\s+"([\w.-]+\.css)"\s*;\s*$', re.MULTILINE)
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Bundle:
    """The joined stylesheet and the start of its SHA-256."""

    css: bytes
    digest: str


def layers(css_dir: Path) -> list[str]:
    """The layer files folio.css imports, in order."""
    return IMPORT.findall((css_dir / INDEX).read_text(encoding="utf-8"))


def build(css_dir: Path) -> Bundle:
    """Join the layers, each under a comment naming its file."""
    parts = [
        f"/* {name} */\n{(css_dir / name).read_text(encoding='utf-8')}"
        for name in layers(css_dir)
    ]
    css = "\n".join(parts).encode("utf-8")
    return Bundle(css, hashlib.sha256(css).hexdigest()[:16])


def bundle() -> Bundle:
    """This app's bundle (rebuilt on each call in debug mode)."""
    if current_app.debug:
        return build(Path(current_app.static_folder) / "css")
    return current_app.extensions["folio_stylesheet"]


def stylesheet_url() -> str:
    """The URL of the current bundle, for base.html."""
    return url_for("stylesheet", digest=bundle().digest)


def stylesheet(digest: str) -> Response:
    """Serve the bundle: kept a year under its own hash, revalidated under another."""
    current = bundle()
    response = Response(current.css, mimetype="text/css")
    response.set_etag(current.digest)
    if digest == current.digest:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        # A page from before a deploy names the old hash: it still gets styled.
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Build the bundle and add its route and template global."""
    app.extensions["folio_stylesheet"] = build(Path(app.static_folder) / "css")
    app.add_url_rule("/assets/folio-<digest>.css", "stylesheet", stylesheet)
    app.jinja_env.globals["stylesheet_url"] = stylesheet_url
