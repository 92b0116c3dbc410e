"""`flask import json PATH`: a Folio JSON export (.json or .zip) moves in."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from porting.json_import import import_site
from porting.json_source import JsonImportProblem
from porting.json_source import open_source
from storage.media_files import MediaStoreError


@click.command("json")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def json_command(path: Path) -> None:
    """Restore a Folio JSON export (.json, or .zip with images) into an empty database."""
    try:
        with open_source(path) as source:
            imported, restored = import_site(source)
    except (JsonImportProblem, MediaStoreError) as exc:
        raise click.ClickException(f"{exc}. Nothing was imported.") from exc
    for name, count in imported.counts.items():
        click.echo(f"{name.replace('_', ' ')}: {count}")
    for name, count in imported.plugins.items():
        click.echo(f"plugin {name}: {count}")
    for warning in imported.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if restored.keys:
        click.echo(f"Stored {len(restored.keys)} image file(s).")
    if restored.waiting:
        click.echo(f"Making the sizes of {len(restored.waiting)} image(s).")
    if restored.missing:
        click.echo(
            f"{len(restored.missing)} image(s) have no files in the export: "
            "upload them again (`flask media check` lists them)."
        )
    click.echo(
        f"{imported.password_resets} staff account(s) need a password reset: "
        'each signs in after "Forgot password?" on the sign-in page.'
    )
