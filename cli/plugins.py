"""`flask plugins list`: what is installed, enabled, loaded and failed."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from plugins.loading import plugin_states

plugins_cli = AppGroup("plugins", help="Plugins (docs/plugins.md).")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


@plugins_cli.command("list")
def list_plugins() -> None:
    """Show every installed or enabled plugin and whether it loaded."""
    states = list(plugin_states(current_app).values())
    if current_app.config["PLUGINS_SAFE_MODE"]:
        click.echo("Safe mode: FOLIO_PLUGINS_SAFE_MODE is on, no plugin is loaded.")
    if not states:
        click.echo("No plugin is installed or enabled.")
        return
    header = ("plugin", "version", "installed", "enabled", "status")
    rows = [
        (s.name, s.version or "-", _yes(s.installed), _yes(s.enabled), s.status)
        for s in states
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
    for state in states:
        if state.error:
            click.echo(f"{state.name}: {state.error}")
