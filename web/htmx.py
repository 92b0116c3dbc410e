"""Full page or fragment: the one decision every dual-mode view makes."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request


def wants_fragment() -> bool:
    """True for an htmx request that is neither boosted nor a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str, /, status: int = 200, **context: Any) -> Response:
    """Render the partial for htmx, the whole page otherwise; Vary on HX-Request."""
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def see_other(location: str) -> Response:
    """Redirect after a non-GET: 303 for a plain request, HX-Location for htmx."""
    if wants_fragment():
        response = make_response("", 200)
        response.headers["HX-Location"] = location
        response.vary.add("HX-Request")
        return response
    return redirect(location, code=303)
