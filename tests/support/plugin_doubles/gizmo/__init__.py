"""A plugin with a table and its own Alembic branch ("gizmo", after core's 0016).

Its table joins db.metadata only when the plugin loads, and forget_table()
takes it out again after the test, so apps without the plugin (and the
PostgreSQL suite's TRUNCATE of every model table) never see it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from models import db

TABLE = "gizmo_things"


def forget_table() -> None:
    """Take the plugin's table out of Folio's metadata."""
    table = db.metadata.tables.get(TABLE)
    if table is not None:
        db.metadata.remove(table)


class Gizmo:
    migrations = Path(__file__).parent / "migrations"

    def init_app(self, app: Flask) -> None:
        if TABLE not in db.metadata.tables:
            sa.Table(
                TABLE,
                db.metadata,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("name", sa.String(80), nullable=False),
            )


plugin = Gizmo()
