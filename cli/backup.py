"""`flask backup PATH`: a checked copy of the live SQLite database, and the images."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from blueprints.media.processing import stored_keys
from models import Media
from storage.backup import backup_sqlite
from storage.backup import copy_media
from storage.backup import ready_media
from storage.backup import sqlite_path
from storage.media_files import LocalMediaStore
from storage.media_files import S3MediaStore
from storage.media_files import media_store

# Beside the database copy; every backup written to the same folder shares it.
MEDIA_FOLDER = "media"


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.option(
    "--no-media", is_flag=True, help="Do not copy the images into media/ beside PATH."
)
@with_appcontext
def backup_command(path: Path, force: bool, no_media: bool) -> None:
    """Copy the live SQLite database to PATH (checked), and new images beside it."""
    source = sqlite_path()
    if source is None:
        url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
        raise click.ClickException(
            f"the database is {url.get_backend_name()}, not SQLite: back it up with "
            "pg_dump, e.g. `pg_dump --format=custom --file=folio.dump "
            f'"{url.set(drivername="postgresql").render_as_string()}"` and restore '
            "with `pg_restore --clean --dbname=... folio.dump`; back up the images "
            f"in {media_store().describe()} too (see docs/operations.md)"
        )
    if not source.exists():
        raise click.ClickException(f"no database at {source}")
    if path.resolve() == source.resolve():
        raise click.ClickException("PATH is the live database itself")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise click.ClickException(f"no such folder: {path.parent}")
    store = media_store()
    folder = (path.parent / MEDIA_FOLDER).resolve()
    if isinstance(store, LocalMediaStore) and folder == store.root.resolve():
        raise click.ClickException(
            f"{path.parent / MEDIA_FOLDER} is the live media folder: "
            "write the backup to another folder"
        )
    counts = backup_sqlite(source, path)
    click.echo(f"Backed up {source} to {path} (integrity_check: ok)")
    for name, rows in counts.items():
        click.echo(f"  {name}: {rows} rows")
    if not no_media:
        back_up_media(path)


def back_up_media(database_copy: Path) -> None:
    """Copy the new image files beside the database copy, or say where they are."""
    store = media_store()
    if not isinstance(store, LocalMediaStore):
        click.echo(s3_advice(store))
        return
    folder = database_copy.parent / MEDIA_FOLDER
    done = copy_media(store, folder)
    click.echo(
        f"Images: copied {done.copied} new file(s) "
        f"({done.copied_bytes / 1_000_000:.1f} MB) to {folder}/; "
        f"{done.already} were there already."
    )
    listed = {
        key
        for sha256, variants in ready_media(database_copy)
        for key in stored_keys(Media(sha256=sha256, variants=variants))
    }
    absent = sorted(key for key in listed if not (folder / key).is_file())
    if absent:
        click.echo(
            f"Images: {len(absent)} file(s) that images in this backup list are "
            f"not in {store.describe()} (first: {absent[0]}); "
            "`flask media check` lists them."
        )


def s3_advice(store: S3MediaStore) -> str:
    """One line: the images stay in the bucket, and how to back them up there."""
    endpoint = current_app.config.get("MEDIA_S3_ENDPOINT_URL") or ""
    option = f" --endpoint-url {endpoint}" if endpoint else ""
    return (
        f"Images: not copied; they are in {store.describe()}. Keep them with the "
        "bucket's versioning (or your provider's snapshots), or copy them with "
        f"`aws s3 sync{option} {store.describe()} /var/backups/folio/media/` "
        "(docs/operations.md)."
    )
