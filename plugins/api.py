"""What a plugin may use: the one module plugin code imports from Folio's plugins.

Everything here is version 1 of the plugin interface (docs/plugins.md says what
that promises). Besides these, a plugin may import ``models`` (db, Role and the
models), ``signals`` and the names re-exported below; anything else in Folio
may change without notice.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from flask import Flask

from blueprints.staff.access import role_required
from blueprints.staff.area import staff_area
from config import coerce_setting
from extensions import limiter
from models import Role
from plugins.hooks import HOOKS_VERSION
from plugins.hooks import CommentCandidate
from plugins.hooks import SpamVote
from plugins.hooks import Verdict
from plugins.hooks import hookimpl
from plugins.registry import SLOTS
from plugins.registry import DashboardCard
from plugins.registry import SlotPartial
from plugins.registry import StaffLink
from plugins.registry import registry
from signals import SIGNALS_VERSION
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment
from web.page_cache import cached

__all__ = [
    "HOOKS_VERSION",
    "SIGNALS_VERSION",
    "SLOTS",
    "CommentCandidate",
    "Role",
    "SpamVote",
    "Verdict",
    "add_dashboard_card",
    "add_staff_link",
    "add_to_slot",
    "cached",
    "hookimpl",
    "limiter",
    "render",
    "role_required",
    "see_other",
    "setting",
    "staff_blueprint",
    "wants_fragment",
    "write_transaction",
]


def _roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    chosen = frozenset(Role(role) for role in roles)
    if not chosen:
        raise ValueError("give at least one role")
    return chosen


def staff_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A blueprint for staff pages: what every staff page has (the two-factor
    gate, no caching) is on it; each view still needs role_required()."""
    return staff_area(Blueprint(name, import_name, **options))


def setting(app: Flask, key: str, default: Any) -> Any:
    """A plugin's setting: app.config[key] if set, else FOLIO_<key> from the
    environment (converted to the default's type, as Folio's own), else default."""
    if key in app.config:
        return app.config[key]
    raw = os.environ.get(f"FOLIO_{key}")
    value = default if raw is None else coerce_setting(f"FOLIO_{key}", raw, default)
    app.config[key] = value
    return value


def add_staff_link(
    app: Flask,
    label: str,
    endpoint: str,
    roles: Iterable[Role | str],
    icon: str = "plugin",
) -> None:
    """Add an entry to the staff menu for these roles (its view checks them too)."""
    entries = registry(app)
    entries.staff_links.append(
        StaffLink(label, endpoint, _roles(roles), icon, entries.current_plugin)
    )


def add_dashboard_card(
    app: Flask,
    title: str,
    template: str,
    roles: Iterable[Role | str],
    context: Callable[[], Mapping[str, Any]] | None = None,
) -> None:
    """Add a card to the staff dashboard: a partial, rendered with context()."""
    entries = registry(app)
    entries.dashboard_cards.append(
        DashboardCard(title, template, _roles(roles), context, entries.current_plugin)
    )


def add_to_slot(app: Flask, slot: str, template: str) -> None:
    """Render a partial in one of the template slots (SLOTS names them)."""
    if slot not in SLOTS:
        raise ValueError(f"no slot {slot!r}; slots are {', '.join(SLOTS)}")
    entries = registry(app)
    entries.slots.setdefault(slot, []).append(
        SlotPartial(template, entries.current_plugin)
    )
