"""`flask db`: Flask-Migrate's commands, with `upgrade` applying Folio's and the
loaded plugins' heads.

Each plugin's migrations are a branch of their own (docs/plugins.md), so the
history has one head per branch, and Alembic's `upgrade head` refuses that.
`flask db upgrade` with no revision upgrades Folio's head and each loaded
plugin's; a plugin that is installed but not enabled gets no tables.
`flask db upgrade heads` (or any revision) is Alembic's, as given. Alembic
also knows the revisions of a plugin no longer enabled whose tables the
database still holds (set_version_locations), so it can read its history.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from flask import current_app
from flask import g
from flask.cli import with_appcontext
from flask_migrate import cli as migrate_cli
from flask_migrate import upgrade as run_upgrade
from sqlalchemy import inspect
from sqlalchemy import text

from models import db
from plugins.loading import loaded_plugins
from plugins.loading import migration_locations


def _folder(app: Flask) -> Path:
    """Folio's migrations folder."""
    return Path(app.root_path) / "migrations"


def applied_revisions() -> set[str]:
    """The revisions the database is at (none before its first upgrade)."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.scalars(text("SELECT version_num FROM alembic_version")))


def set_version_locations(app: Flask, config: Config) -> Config:
    """Point Alembic at Folio's revisions, the loaded plugins', and those of
    plugins not loaded whose revisions the database holds."""
    plugins = migration_locations(app, applied_revisions())
    locations = [_folder(app) / "versions", *plugins]
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(str(path) for path in locations)
    )
    return config


def enabled_heads(app: Flask) -> list[str]:
    """The heads of Folio's revisions and of each loaded plugin's branch."""
    folder = _folder(app)
    config = Config(str(folder / "alembic.ini"))
    config.set_main_option("script_location", str(folder))
    script = ScriptDirectory.from_config(set_version_locations(app, config))
    wanted = [folder / "versions"] + [
        state.migrations for state in loaded_plugins(app) if state.migrations
    ]
    wanted = [path.resolve() for path in wanted]
    heads = []
    for head in script.get_heads():
        path = Path(script.get_revision(head).path).resolve()
        if any(path.is_relative_to(place) for place in wanted):
            heads.append(head)
    return sorted(heads)


@click.command("upgrade")
@click.option("-d", "--directory", default=None, help="Migration script directory.")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
@click.option("--tag", default=None, help="A tag custom env.py scripts may read.")
@click.option("-x", "--x-arg", multiple=True, help="Arguments for env.py.")
@click.argument("revision", required=False)
@with_appcontext
def upgrade(directory, sql, tag, x_arg, revision) -> None:
    """Upgrade the database: by default Folio's and each loaded plugin's head."""
    directory = directory or g.directory
    x_arg = x_arg or g.x_arg
    targets = [revision] if revision else enabled_heads(current_app)
    for target in targets:
        run_upgrade(directory, target, sql, tag, x_arg)


# The group's own options (-d, -x) and callback are Flask-Migrate's.
database_cli = click.Group(
    "db",
    params=migrate_cli.db.params,
    callback=migrate_cli.db.callback,
    help="Database migrations (Flask-Migrate; upgrade applies loaded plugins' too).",
    commands={**migrate_cli.db.commands, "upgrade": upgrade},
)
