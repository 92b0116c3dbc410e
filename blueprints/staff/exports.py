"""Downloading the whole site (admins): JSON, JSON with the images, WordPress.

Each download is a GET an admin follows from the settings page, streamed as
it is read; every one is written to the audit log first, since it holds all
of the site's data.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Response
from flask import abort
from flask import stream_with_context

from blueprints.staff.access import SETTINGS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.views import bp
from models import AuditAction
from models import utcnow
from porting.json_export import begin_snapshot
from porting.json_export import json_chunks
from porting.json_export import zip_chunks
from porting.wxr_export import wxr_chunks
from storage.transactions import write_transaction


@dataclass(frozen=True)
class Download:
    """One kind of export: what the audit log calls it, its file, its writer."""

    label: str
    suffix: str
    mimetype: str
    chunks: Callable[[], Iterator[str | bytes]]


DOWNLOADS = {
    "json": Download("JSON", ".json", "application/json", json_chunks),
    "zip": Download("JSON with media", ".zip", "application/zip", zip_chunks),
    "wordpress": Download(
        "WordPress (WXR)", "-wordpress.xml", "application/xml", wxr_chunks
    ),
}


def _encoded(chunks: Iterator[str | bytes]) -> Iterator[bytes]:
    """The pieces as bytes (the JSON writer yields text)."""
    for chunk in chunks:
        yield chunk.encode() if isinstance(chunk, str) else chunk


@bp.get("/settings/export/<kind>")
@role_required(SETTINGS)
def settings_export(kind: str):
    """Stream the site as a file to save; the download is audited first."""
    download = DOWNLOADS.get(kind)
    if download is None:
        abort(404)
    with write_transaction():
        record(AuditAction.SITE_EXPORTED, detail=download.label)
    begin_snapshot()
    filename = f"folio-{utcnow():%Y-%m-%d}{download.suffix}"
    response = Response(
        stream_with_context(_encoded(download.chunks())), mimetype=download.mimetype
    )
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response
