"""The accent colour setting as a stylesheet: /assets/site-<version>.css.

The CSP (`style-src 'self'`) forbids style attributes and inline <style>, so
the accent reaches pages as a tiny stylesheet of custom properties, linked
from base.html after the main one when an accent is set. Its URL carries the
settings version, so it is kept a year; an old version's URL still answers
with the current colours, revalidated.
"""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from flask import url_for

from web.colours import Shades
from web.colours import dark_shades
from web.colours import light_shades
from web.site_settings import settings_version
from web.stylesheet import YEAR


def _tokens(shades: Shades) -> str:
    return (
        f"--accent: {shades.accent}; --accent-hover: {shades.hover}; "
        f"--accent-fg: {shades.fg}; --accent-soft: {shades.soft};"
    )


def accent_css(colour: str) -> str:
    """The custom properties of colour, light and dark."""
    return (
        f":root {{ {_tokens(light_shades(colour))} }}\n"
        "@media (prefers-color-scheme: dark) {\n"
        f"  :root {{ {_tokens(dark_shades(colour))} }}\n"
        "}\n"
    )


def accent_stylesheet_url() -> str | None:
    """The accent stylesheet's URL, or None when the theme's own accent is used."""
    if not current_app.config["ACCENT_COLOUR"]:
        return None
    return url_for("accent_stylesheet", version=settings_version())


def accent_stylesheet(version: int) -> Response:
    """The accent's custom properties: kept a year under the current version."""
    colour = current_app.config["ACCENT_COLOUR"]
    response = Response(accent_css(colour) if colour else "", mimetype="text/css")
    response.set_etag(f"{settings_version()}-{colour}")
    if version == settings_version():
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Add the route and the template global."""
    app.add_url_rule(
        "/assets/site-<int:version>.css", "accent_stylesheet", accent_stylesheet
    )
    app.jinja_env.globals["accent_stylesheet_url"] = accent_stylesheet_url
