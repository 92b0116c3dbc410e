"""Plugins that add partials to template slots and cards to the staff dashboard."""

from __future__ import annotations

from flask import Flask

from models import Role
from plugins.api import add_dashboard_card
from plugins.api import add_to_slot
from tests.support.plugin_doubles import use_templates


class Slotted:
    """One partial in each slot."""

    def init_app(self, app: Flask) -> None:
        use_templates(app)
        add_to_slot(app, "head", "doubles/_head.html")
        add_to_slot(app, "article_footer", "doubles/_footer.html")
        add_to_slot(app, "comment_form_extra", "doubles/_form_extra.html")
        add_to_slot(app, "staff_sidebar", "doubles/_sidebar.html")


class TokenSlot:
    """A partial with a per-visitor value (the CSRF token) on a cached page."""

    def init_app(self, app: Flask) -> None:
        use_templates(app)
        add_to_slot(app, "article_footer", "doubles/_token.html")


class BrokenSlot:
    """A partial that raises while it renders, beside one that works."""

    def init_app(self, app: Flask) -> None:
        use_templates(app)
        add_to_slot(app, "article_footer", "doubles/_raises.html")
        add_to_slot(app, "article_footer", "doubles/_footer.html")


def _card_context() -> dict:
    return {"count": 42}


def _broken_context() -> dict:
    raise LookupError("the card's data is gone")


class Cards:
    """A dashboard card for editors, and one whose context raises."""

    def init_app(self, app: Flask) -> None:
        use_templates(app)
        roles = (Role.EDITOR,)
        add_dashboard_card(
            app, "Double card", "doubles/_card.html", roles, _card_context
        )
        add_dashboard_card(
            app, "Broken card", "doubles/_card.html", roles, _broken_context
        )


plugin = Slotted()
token_slot = TokenSlot()
broken_slot = BrokenSlot()
cards = Cards()
