"""A plugin with a blueprint: a public page, a POST view, a limited view, a staff page."""

from __future__ import annotations

from flask import Blueprint
from flask import Flask
from flask import render_template
from flask import request

from models import Role
from plugins.api import add_staff_link
from plugins.api import limiter
from plugins.api import role_required
from tests.support.plugin_doubles import inits

DESK_ROLES = frozenset({Role.ADMIN, Role.EDITOR})

bp = Blueprint("greeter", __name__, template_folder="templates")


@bp.get("/hello")
def index():
    """A public page extending base.html."""
    return render_template("doubles/greeter.html")


@bp.post("/echo")
def echo():
    """A POST without a FlaskForm: CSRF is checked for it all the same."""
    return {"echo": request.form.get("word", "")}


@bp.get("/limited")
@limiter.limit("1/minute")
def limited():
    """A view with a rate limit of its own."""
    return {"ok": True}


@bp.get("/desk")
@role_required(DESK_ROLES)
def desk():
    """A staff page for admins and editors."""
    return render_template("doubles/greeter_desk.html")


class Greeter:
    def init_app(self, app: Flask) -> None:
        app.register_blueprint(bp, url_prefix="/greeter")
        add_staff_link(app, "Greeter desk", "greeter.desk", DESK_ROLES)
        inits(app).append("greeter")


plugin = Greeter()
