"""Views that take a request body larger than MAX_CONTENT_LENGTH: image uploads,
a WordPress export.

The global limit stays small (1 MiB): every form but an upload is text. An
upload view raises the limit for its own request before the body is read.
Flask-WTF's CSRF check runs before every view and reads the form, with the
global limit, so such a view is exempt from that hook (`@large_body`) and
`read_large_body()` checks the token itself, once the limit is raised.

Werkzeug spools a file part over 500 KB into the system's temporary folder,
which is often a tmpfs (Debian 13's /tmp): memory. A view expecting a file
of hundreds of MB names a folder on disk to spool it into instead
(`spool_dir`), through Werkzeug's public make_form_data_parser().
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from flask import Request
from flask import current_app
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from extensions import csrf

# Werkzeug's own threshold: smaller parts stay in memory.
SPOOL_IN_MEMORY = 500 * 1024


class SpoolingRequest(Request):
    """Flask's request; a large file part goes to spool_dir when a view sets it."""

    spool_dir: Path | None = None

    def make_form_data_parser(self) -> FormDataParser:
        """Werkzeug's parser, with a stream factory writing into spool_dir."""
        if self.spool_dir is None:
            return super().make_form_data_parser()
        return self.form_data_parser_class(
            stream_factory=self._spool,
            max_form_memory_size=self.max_form_memory_size,
            max_content_length=self.max_content_length,
            max_form_parts=self.max_form_parts,
            cls=self.parameter_storage_class,
        )

    def _spool(self, *args, **kwargs) -> IO[bytes]:
        """An anonymous file in spool_dir (gone when closed), memory while small."""
        return tempfile.SpooledTemporaryFile(
            max_size=SPOOL_IN_MEMORY, mode="rb+", dir=self.spool_dir
        )


def large_body(view: Callable) -> Callable:
    """Mark a view that calls read_large_body() (its CSRF token is checked there)."""
    return csrf.exempt(view)


def read_large_body(limit: int, spool_dir: Path | None = None) -> bool:
    """Read this request's form within limit bytes and check its CSRF token.

    False when the body is larger (it is not kept); a missing or wrong token
    raises CSRFError (400), as the check before other views does. spool_dir:
    where a large file part is written while it arrives (default: the
    system's temporary folder).
    """
    request.max_content_length = max(limit, current_app.config["MAX_CONTENT_LENGTH"])
    request.spool_dir = spool_dir
    try:
        request.form  # noqa: B018 (parsed now, within the raised limit)
    except RequestEntityTooLarge:
        return False
    config = current_app.config
    if config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]:
        csrf.protect()
    return True
