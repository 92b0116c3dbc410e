"""Atom feeds: XML-safe text, tag: ids, and the answer with its validators.

Every feed (articles, comments) is answered the same way: an ETag from what
it shows plus the site settings (its title and subtitle are settings), a 304
when the reader has it already, else the rendered document, public for a few
minutes and then revalidated (web/http_caching.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from urllib.parse import urlsplit

from flask import Response
from flask import render_template

from web.http_caching import fingerprint
from web.http_caching import not_modified
from web.http_caching import not_modified_response
from web.http_caching import public_resource
from web.site_settings import settings_version
from web.urls import site_url

ATOM_TYPE = "application/atom+xml; charset=utf-8"

# Characters XML 1.0 does not allow anywhere, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text with the characters XML 1.0 forbids removed (escaping is Jinja's)."""
    return _NOT_XML.sub("", str(value or ""))


def tag_uri(day: date, name: str) -> str:
    """A permanent tag: URI (RFC 4151) on this site's host for an entry."""
    host = urlsplit(site_url()).hostname or "localhost"
    return f"tag:{host},{day.isoformat()}:{name}"


def feed_etag(parts: Iterable[object]) -> str:
    """The ETag of a feed showing parts (and the site settings)."""
    return fingerprint([*parts, settings_version()])


def unchanged(etag: str, updated: datetime | None = None) -> Response | None:
    """A 304 when the reader's copy is current (If-None-Match or -Modified-Since)."""
    if not not_modified(etag, updated):
        return None
    return not_modified_response(etag, private=False, last_modified=updated)


def atom_document(
    template: str, etag: str, updated: datetime, **context: object
) -> Response:
    """The rendered feed, with its type, validators and public caching."""
    body = render_template(template, updated=updated, xml_text=xml_text, **context)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = ATOM_TYPE
    return public_resource(response, etag, updated)
