"""`flask media process`, `flask media prune` and `flask media check`."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from blueprints.media.upkeep import KEEP_RECENT
from blueprints.media.upkeep import missing_files
from blueprints.media.upkeep import process_waiting
from blueprints.media.upkeep import unaccounted_keys
from models import MediaStatus
from storage.media_files import MediaStoreError
from storage.media_files import media_store

media_cli = AppGroup("media", help="Look after the media library's files.")


@media_cli.command("process")
def process_command() -> None:
    """Make the sizes of images left processing (a worker died); print each."""
    ready = failed = 0
    for done in process_waiting():
        if done.status is None:
            click.echo(f"Image {done.media_id} ({done.filename}): no longer waiting.")
            continue
        click.echo(f"Image {done.media_id} ({done.filename}): {done.status}.")
        ready += done.status == MediaStatus.READY
        failed += done.status == MediaStatus.FAILED
    if not ready + failed:
        click.echo("No image is waiting for its sizes.")
    else:
        click.echo(f"Made the sizes of {ready} image(s); {failed} failed.")


@media_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="List the files; delete nothing.")
@click.option(
    "--keep-recent",
    type=click.IntRange(0),
    default=int(KEEP_RECENT.total_seconds() // 60),
    show_default=True,
    help="Leave files younger than this many minutes (an upload in progress).",
)
def prune_command(dry_run: bool, keep_recent: int) -> None:
    """Delete stored files no media row accounts for (--dry-run lists them)."""
    store = media_store()
    try:
        orphans = unaccounted_keys(timedelta(minutes=keep_recent))
        for key in orphans:
            click.echo(key)
        if orphans and not dry_run:
            store.delete(orphans)
    except MediaStoreError as exc:
        raise click.ClickException(str(exc)) from exc
    where = store.describe()
    if not orphans:
        click.echo(f"Every file in {where} belongs to an image.")
    elif dry_run:
        click.echo(f"{len(orphans)} file(s) in {where} would be deleted.")
    else:
        click.echo(f"Deleted {len(orphans)} file(s) from {where}.")


@media_cli.command("check")
def check_command() -> None:
    """Check every ready image's files are stored; print the missing, exit 1 if any."""
    try:
        report = missing_files()
    except MediaStoreError as exc:
        raise click.ClickException(str(exc)) from exc
    for image in report.missing:
        for key in image.keys:
            click.echo(f"Image {image.media_id} ({image.filename}): missing {key}")
    where = media_store().describe()
    if report.missing:
        lost = sum(len(image.keys) for image in report.missing)
        raise click.ClickException(
            f"{lost} of {report.files} file(s) of {len(report.missing)} image(s) "
            f"are missing from {where}. Upload those images again "
            "(Replace file), or restore the media folder from a backup."
        )
    click.echo(
        f"{report.images} ready image(s), {report.files} file(s): all in {where}."
    )
