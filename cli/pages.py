"""`flask pages seed-privacy`: the privacy page from its template."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from blueprints.articles.privacy import privacy_page
from models import db
from storage.transactions import write_transaction

pages_cli = AppGroup("pages", help="Pages (About, Privacy...).")


@pages_cli.command("seed-privacy")
@click.option(
    "--publish",
    is_flag=True,
    help="Publish it at once (default: a draft to read and adjust first).",
)
def seed_privacy_command(publish: bool) -> None:
    """Create the privacy page from templates/pages/privacy.md."""
    with write_transaction():
        page = privacy_page(None, publish=publish)
        db.session.add(page)
    state = "published" if publish else "a draft"
    click.echo(f"Created the page “{page.title}” at /{page.slug} ({state}).")
