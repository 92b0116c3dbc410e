"""What plugins add to pages: staff links, dashboard cards and template slots.

One Registry per app (``app.extensions["folio_plugins"]``), filled while the
plugins' init_app() run and read while pages render. Plugins add to it through
api.py; templates read it through the globals slots.py installs.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Flask

from models import Role

# Where a plugin's partial may appear, and what each place's template passes.
SLOTS: Mapping[str, str] = {
    "head": "every public page's <head> (no arguments)",
    "article_footer": "under an article or page's text (article)",
    "comment_form_extra": "inside the comment form, before its button (article, form)",
    "staff_sidebar": "under the staff menu (no arguments)",
}


@dataclass(frozen=True)
class StaffLink:
    """An entry in the staff menu, shown to the roles given."""

    label: str
    endpoint: str
    roles: frozenset[Role]
    icon: str = "plugin"
    plugin: str = ""

    def current(self, endpoint: str) -> bool:
        """True on the link's own pages (its blueprint's endpoints)."""
        return endpoint.split(".")[0] == self.endpoint.split(".")[0]


@dataclass(frozen=True)
class DashboardCard:
    """A card on the staff dashboard: a partial and the function giving its context."""

    title: str
    template: str
    roles: frozenset[Role]
    context: Callable[[], Mapping[str, Any]] | None = None
    plugin: str = ""


@dataclass(frozen=True)
class SlotPartial:
    """A plugin's partial rendered in a slot."""

    template: str
    plugin: str = ""


@dataclass
class Registry:
    """Everything the loaded plugins added, in plugin order."""

    staff_links: list[StaffLink] = field(default_factory=list)
    dashboard_cards: list[DashboardCard] = field(default_factory=list)
    slots: dict[str, list[SlotPartial]] = field(default_factory=dict)
    current_plugin: str = ""

    def links_for(self, role: Role) -> list[StaffLink]:
        """The staff links this role sees."""
        return [link for link in self.staff_links if role in link.roles]

    def cards_for(self, role: Role) -> list[DashboardCard]:
        """The dashboard cards this role sees."""
        return [card for card in self.dashboard_cards if role in card.roles]


def registry(app: Flask) -> Registry:
    """The app's registry, made empty on first use."""
    return app.extensions.setdefault("folio_plugins", Registry())
