"""Every `flask` command Folio adds, one module per group."""

from flask import Flask

from cli.backup import backup_command
from cli.demo import seed_demo
from cli.exports import export_cli
from cli.imports import import_cli
from cli.media import media_cli
from cli.outbox import outbox_cli
from cli.pages import pages_cli
from cli.plugins import plugins_cli
from cli.users import users_cli


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(seed_demo)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(pages_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(plugins_cli)
