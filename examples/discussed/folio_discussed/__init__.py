"""Most discussed: a Folio plugin ranking articles by their recent comments.

What it adds
    /discussed                 the published articles with the most approved
                               comments in the last DISCUSSED_DAYS days (30)
    /discussed/articles/<slug> one article's count ("12 comments in the last
                               30 days"), loaded by htmx under the article
    /staff/discussed           admins and editors: the top articles over 7
                               and 30 days, and "Recount from comments"
    a dashboard card (this week's top 3) and a staff menu entry

How it works
    One table, ``discussed_activity``: approved comments per article per UTC
    day. Receivers of ``comment_created`` and ``comment_status_changed``
    (sent after commit) add or take one, each in its own short write; pingbacks
    and trackbacks never count. The recount rebuilds the table from the
    comments in one INSERT ... SELECT. Under the article, the
    ``article_footer`` slot puts only a static link and an htmx placeholder,
    so the page cache keeps serving the article page: the count arrives
    when the placeholder scrolls into view, and without JavaScript the
    reader still has the link.

Install
    pip install -e examples/discussed
    FOLIO_PLUGINS=discussed          (the allowlist; add to any others)
    flask db upgrade                 (applies the "discussed" branch too)
    FOLIO_DISCUSSED_DAYS=14          (optional: the public window)

Uninstall
    flask db downgrade discussed@base   (drops discussed_activity)
    remove discussed from FOLIO_PLUGINS, then pip uninstall folio-discussed

Its rows travel with `flask export json` under "plugins" → "discussed".
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from folio_discussed.activity import export_rows
from folio_discussed.activity import import_rows
from folio_discussed.activity import most_discussed
from folio_discussed.public import bp
from folio_discussed.receivers import on_comment_created
from folio_discussed.receivers import on_comment_removed
from folio_discussed.receivers import on_comment_status_changed
from folio_discussed.staff import STAFF
from folio_discussed.staff import staff_bp
from plugins.api import add_dashboard_card
from plugins.api import add_staff_link
from plugins.api import add_to_slot
from plugins.api import hookimpl
from plugins.api import setting
from signals import comment_created
from signals import comment_removed
from signals import comment_status_changed

NAME = "discussed"
DEFAULT_DAYS = 30


def _this_week() -> Mapping[str, Any]:
    """The dashboard card's context: this week's three most discussed."""
    return {"ranked": most_discussed(7, limit=3), "days": 7}


class DiscussedPlugin:
    """The object the entry point names: init_app() and the hooks it answers."""

    migrations = Path(__file__).parent / "migrations" / "versions"

    def init_app(self, app: Flask) -> None:
        """Register the pages, the receivers, the staff entries and the slot."""
        setting(app, "DISCUSSED_DAYS", DEFAULT_DAYS)
        app.register_blueprint(bp, url_prefix="/discussed")
        app.register_blueprint(staff_bp, url_prefix="/staff/discussed")
        # Module-level functions: blinker's weak references keep them alive.
        comment_created.connect(on_comment_created, sender=app)
        comment_status_changed.connect(on_comment_status_changed, sender=app)
        comment_removed.connect(on_comment_removed, sender=app)
        add_staff_link(
            app, "Most discussed", "discussed_staff.index", STAFF, "comments"
        )
        add_dashboard_card(
            app, "Most discussed this week", "discussed/_card.html", STAFF, _this_week
        )
        add_to_slot(app, "article_footer", "discussed/_footer.html")

    @hookimpl
    def folio_export_records(self) -> list[dict[str, Any]]:
        """Every count row, for the export's "plugins" → "discussed"."""
        return export_rows()

    @hookimpl
    def folio_import_records(self, name: str, records: list[dict[str, Any]]) -> bool:
        """Take back the rows an export held for this plugin."""
        if name != NAME:
            return False
        import_rows(records)
        return True


plugin = DiscussedPlugin()
