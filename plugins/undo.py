"""Taking back what a plugin added when its set-up fails halfway.

A plugin's init_app() may register blueprints, connect receivers and add
registry entries before it raises. The loader snapshots the app first
(Snapshot), and on failure takes back what it can: registry entries and the
hook registration are removed, receivers disconnected, and the blueprints
(which Flask cannot unregister) answer 404 from then on.
"""

from __future__ import annotations

from flask import Flask
from flask import abort
from flask import current_app
from flask import request

from plugins.hooks import manager
from plugins.registry import registry
from signals import EVENTS

_REFUSED = "folio_refused_blueprints"


class Snapshot:
    """The app as it was before one plugin's set-up."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.blueprints = set(app.blueprints)
        self.receivers = {
            signal: {id(r) for r in signal.receivers_for(app)} for signal in EVENTS
        }

    def undo(self, name: str) -> None:
        """Take back what the plugin called name added since the snapshot."""
        app = self.app
        entries = registry(app)
        entries.staff_links[:] = [e for e in entries.staff_links if e.plugin != name]
        entries.dashboard_cards[:] = [
            e for e in entries.dashboard_cards if e.plugin != name
        ]
        for slot, partials in entries.slots.items():
            entries.slots[slot] = [p for p in partials if p.plugin != name]
        pm = manager(app)
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)
        for signal, before in self.receivers.items():
            for receiver in list(signal.receivers_for(app)):
                if id(receiver) not in before:
                    signal.disconnect(receiver, sender=app)
        added = set(app.blueprints) - self.blueprints
        if added:
            if _REFUSED not in app.extensions:
                app.extensions[_REFUSED] = set()
                app.before_request(_refuse_failed_blueprints)
            app.extensions[_REFUSED] |= added


def _refuse_failed_blueprints() -> None:
    """A failed plugin's pages answer 404 (installed only once a plugin failed)."""
    if request.blueprint in current_app.extensions[_REFUSED]:
        abort(404)
