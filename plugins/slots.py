"""The template globals through which pages show what plugins registered.

``plugin_slot("article_footer", article=article)`` renders each partial added to
that slot; ``plugin_staff_links()`` and ``plugin_dashboard_cards()`` give the
entries the signed-in role sees. A partial that raises is logged and left out:
a plugin's bug must not take a core page down.

Slots in a page the anonymous page cache keeps are rendered once for every
visitor: a partial there shows only what its arguments and the plugin's own
settings give, and per-visitor values through the helpers that mark them
(``csrf_token()``, ``csp_nonce()``), as core templates do.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import current_app
from flask import render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from models import db
from plugins.registry import DashboardCard
from plugins.registry import StaffLink
from plugins.registry import registry


def plugin_slot(name: str, **context: Any) -> Markup:
    """The partials added to slot ``name``, rendered with the slot's arguments."""
    partials = registry(current_app).slots.get(name)
    if not partials:
        return Markup("")
    parts = []
    for partial in partials:
        try:
            parts.append(render_template(partial.template, **context))
        except Exception as exc:
            _recover(exc)
            current_app.logger.exception(
                "plugin %s: slot %s: %s failed; left out",
                partial.plugin,
                name,
                partial.template,
            )
    return Markup("\n").join(Markup(part) for part in parts)


def plugin_staff_links() -> list[StaffLink]:
    """The plugins' staff menu entries for the signed-in role."""
    if not current_user.is_authenticated:
        return []
    return registry(current_app).links_for(current_user.role)


def plugin_dashboard_cards() -> list[tuple[DashboardCard, Markup]]:
    """The plugins' dashboard cards for the signed-in role, rendered."""
    if not current_user.is_authenticated:
        return []
    cards = []
    for card in registry(current_app).cards_for(current_user.role):
        try:
            context = dict(card.context()) if card.context else {}
            cards.append((card, Markup(render_template(card.template, **context))))
        except Exception as exc:
            _recover(exc)
            current_app.logger.exception(
                "plugin %s: dashboard card %s failed; left out", card.plugin, card.title
            )
    return cards


def _recover(exc: Exception) -> None:
    """After a failed query, roll back so the page's own queries can go on."""
    if isinstance(exc, SQLAlchemyError):
        db.session.rollback()


def init_app(app: Flask) -> None:
    """Make the slot and registry helpers template globals."""
    app.jinja_env.globals.update(
        plugin_slot=plugin_slot,
        plugin_staff_links=plugin_staff_links,
        plugin_dashboard_cards=plugin_dashboard_cards,
    )
