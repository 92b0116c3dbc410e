"""Test-only plugins: plain modules whose objects tests install as entry points.

A test installs the ones it needs with the install_plugins fixture
(tests/support/plugin_install.py) and enables them with PLUGINS. They use only
what docs/plugins.md allows: plugins.api, models and signals.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Flask

# Partials for plugins without a blueprint of their own: a blueprint that only
# adds this folder to the app's template search path.
templates_bp = Blueprint("plugin_doubles", __name__, template_folder="templates")


def use_templates(app: Flask) -> None:
    """Let the app find templates/doubles/*.html (once per app)."""
    if templates_bp.name not in app.blueprints:
        app.register_blueprint(templates_bp)


def inits(app: Flask) -> list[str]:
    """The names of the doubles whose init_app ran for app, in order."""
    return app.extensions.setdefault("plugin_doubles_inits", [])
