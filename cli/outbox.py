"""`flask outbox send` and `flask outbox status`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from mail.outbox import BATCH
from mail.outbox import SendReport
from mail.outbox import run_before_round
from mail.outbox import send_due
from mail.outbox import status

outbox_cli = AppGroup("outbox", help="Send and inspect queued mail.")


@outbox_cli.command("send")
@click.option(
    "--limit",
    default=1000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Send at most this many mails.",
)
def send_command(limit: int) -> None:
    """Queue the digests that are due, send the mail that is due now; print counts."""
    app = current_app._get_current_object()
    if not app.config["SMTP_HOST"]:
        # Digests are still queued: they wait in the outbox with the rest.
        run_before_round(app)
        waiting = status()
        click.echo(
            "FOLIO_SMTP_HOST is not set: nothing sent; "
            f"{waiting.due + waiting.retrying} mail(s) wait in the outbox."
        )
        return
    total = SendReport()
    while total.claimed < limit:
        report = send_due(app, limit=min(BATCH, limit - total.claimed))
        total.claimed += report.claimed
        total.sent += report.sent
        total.failed += report.failed
        total.unrecorded += report.unrecorded
        if not report.more_may_be_due:
            break
    left = status()
    click.echo(
        f"Sent {total.sent}, failed {total.failed}; "
        f"{left.due + left.retrying} still waiting."
    )
    if total.unrecorded:
        click.echo(
            f"{total.unrecorded} outcome(s) could not be recorded "
            "(the database stayed locked); see the log."
        )


@outbox_cli.command("status")
def status_command() -> None:
    """Print how many mails are due, waiting to retry, being sent and sent."""
    counts = status()
    click.echo(f"Due now:          {counts.due}")
    click.echo(f"Waiting to retry: {counts.retrying}")
    click.echo(f"Being sent:       {counts.sending}")
    click.echo(f"Sent:             {counts.sent}")
    if counts.oldest_unsent is not None:
        click.echo(f"Oldest unsent:    {counts.oldest_unsent:%Y-%m-%d %H:%M} UTC")
    if not current_app.config["SMTP_HOST"]:
        click.echo("FOLIO_SMTP_HOST is not set: mail is stored, not sent.")
