"""`flask export json` and `flask export wordpress`: the whole site, to move out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from flask.cli import AppGroup

from porting.json_export import begin_snapshot
from porting.json_export import json_chunks
from porting.json_export import zip_chunks
from porting.wxr_export import wxr_chunks
from storage.media_files import MediaStoreError
from web.urls import urls_outside_requests

export_cli = AppGroup("export", help="Write the whole site to a file.")


def _write(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write the pieces to a new file beside path, renamed into place when whole."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                out.write(chunk.encode() if isinstance(chunk, str) else chunk)
        partial.replace(path)
    except (OSError, MediaStoreError) as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {exc}") from exc


@export_cli.command("json")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--with-media", is_flag=True, help="Write a .zip: site.json and the image files."
)
@click.option(
    "--with-contact", is_flag=True, help="Include the contact messages (private mail)."
)
def json_command(path: Path, with_media: bool, with_contact: bool) -> None:
    """Write the site as a Folio JSON document (docs/export-format.md)."""
    if with_media and path.suffix.lower() != ".zip":
        raise click.BadParameter("with --with-media, PATH is a .zip", param_hint="PATH")
    begin_snapshot()
    chunks = zip_chunks(with_contact) if with_media else json_chunks(with_contact)
    _write(path, chunks)
    click.echo(f"Wrote {path}.")


@export_cli.command("wordpress")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def wordpress_command(path: Path) -> None:
    """Write the site as a WordPress export (WXR 1.2) for WordPress's importer."""
    begin_snapshot()
    with urls_outside_requests():
        _write(path, wxr_chunks())
    click.echo(f"Wrote {path}.")
