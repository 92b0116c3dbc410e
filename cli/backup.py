"""`flask backup PATH`: a checked copy of the live SQLite database."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from storage.backup import backup_sqlite
from storage.backup import sqlite_path


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the live SQLite database to PATH (online backup API, checked)."""
    source = sqlite_path()
    if source is None:
        url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
        raise click.ClickException(
            f"the database is {url.get_backend_name()}, not SQLite: back it up with "
            "pg_dump, e.g. `pg_dump --format=custom --file=folio.dump "
            f'"{url.set(drivername="postgresql").render_as_string()}"` and restore '
            "with `pg_restore --clean --dbname=... folio.dump` (see docs/operations.md)"
        )
    if not source.exists():
        raise click.ClickException(f"no database at {source}")
    if path.resolve() == source.resolve():
        raise click.ClickException("PATH is the live database itself")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise click.ClickException(f"no such folder: {path.parent}")
    counts = backup_sqlite(source, path)
    click.echo(f"Backed up {source} to {path} (integrity_check: ok)")
    for name, rows in counts.items():
        click.echo(f"  {name}: {rows} rows")
