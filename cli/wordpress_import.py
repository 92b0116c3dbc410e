"""`flask import wordpress FILE.xml`: a WordPress site moves in."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from porting.import_report import ImportReport
from porting.progress import ProgressDisplay
from porting.wp_authors import AuthorOptions
from porting.wp_authors import ImportProblem
from porting.wp_authors import parse_author_map
from porting.wxr_import import ImportOptions
from porting.wxr_import import import_wordpress
from porting.wxr_reader import WxrError


def _options(**given) -> ImportOptions:
    """The importer's options from the command line's."""
    author_map = {}
    if given["author_map"]:
        author_map = parse_author_map(Path(given["author_map"]).read_text("utf-8"))
    if given["uploads"] and given["fetch_media"]:
        raise ImportProblem("--uploads and --fetch-media: choose one")
    return ImportOptions(
        authors=AuthorOptions(
            author_map=author_map,
            create_authors=given["create_authors"],
            assign_to=given["assign_to"],
        ),
        uploads=Path(given["uploads"]) if given["uploads"] else None,
        fetch_media=given["fetch_media"],
        dry_run=given["dry_run"],
    )


@click.command("wordpress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--author-map",
    type=click.Path(exists=True, dir_okay=False),
    help="A file of `wordpress-login = staff@email` lines.",
)
@click.option(
    "--create-authors",
    is_flag=True,
    help="Make inactive staff accounts (no password) for unmatched authors.",
)
@click.option("--assign-to", metavar="EMAIL", help="Give every post to this account.")
@click.option(
    "--uploads",
    type=click.Path(exists=True, file_okay=False),
    help="A copy of wp-content/uploads: attachments enter the media library.",
)
@click.option(
    "--fetch-media", is_flag=True, help="Download attachments from the old site."
)
@click.option("--dry-run", is_flag=True, help="Print the report; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the report as JSON to this file.",
)
@with_appcontext
def wordpress_command(file: str, report_path: str | None, **given) -> None:
    """Import a WordPress export (WXR) file: posts, pages, comments, media."""
    progress = ProgressDisplay("Importing")
    try:
        report = import_wordpress(file, _options(**given), progress)
    except WxrError as error:
        raise click.ClickException(f"{file}: not imported, {error}") from None
    except ImportProblem as error:
        raise click.ClickException(str(error)) from None
    finally:
        progress.close()
    _show(report, report_path)


def _show(report: ImportReport, report_path: str | None) -> None:
    for line in report.lines():
        click.echo(line)
    if report_path:
        Path(report_path).write_text(report.to_json() + "\n", "utf-8")
        click.echo(f"Report written to {report_path}.")
