"""`flask db`: Flask-Migrate's commands, with `upgrade` applying every head.

Each plugin's migrations are a branch of their own (docs/plugins.md), so the
history has one head per branch; Alembic's `upgrade head` refuses that, and
`upgrade heads` applies them all. Everything else is Flask-Migrate's command.
"""

from __future__ import annotations

import click
from flask import g
from flask.cli import with_appcontext
from flask_migrate import cli as migrate_cli
from flask_migrate import upgrade as run_upgrade


@click.command("upgrade")
@click.option("-d", "--directory", default=None, help="Migration script directory.")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
@click.option("--tag", default=None, help="A tag custom env.py scripts may read.")
@click.option("-x", "--x-arg", multiple=True, help="Arguments for env.py.")
@click.argument("revision", default="heads")
@with_appcontext
def upgrade(directory, sql, tag, x_arg, revision) -> None:
    """Upgrade the database: by default to every branch's head (Folio's, plugins')."""
    run_upgrade(directory or g.directory, revision, sql, tag, x_arg or g.x_arg)


# The group's own options (-d, -x) and callback are Flask-Migrate's.
database_cli = click.Group(
    "db",
    params=migrate_cli.db.params,
    callback=migrate_cli.db.callback,
    help="Database migrations (Flask-Migrate; upgrade applies plugins' too).",
    commands={**migrate_cli.db.commands, "upgrade": upgrade},
)
