"""The Akismet REST API's comment-check call, with the standard library.

Akismet answers a form-encoded POST with the body ``true`` (spam), ``false``
(not spam) or ``invalid`` (a bad key or request; the ``X-akismet-debug-help``
header says why). Any Akismet-compatible service answers the same way.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from email.message import Message
from urllib.error import HTTPError
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.request import Request
from urllib.request import urlopen

DEFAULT_URL = "https://rest.akismet.com"
USER_AGENT = "Folio | folio-akismet/0.1.0"
# Akismet's answers are a word and a few headers; more is not an answer.
MAX_BODY = 1024

# What a failed call raises: URLError and timeouts are OSErrors; a server that
# hangs up mid-answer raises http.client's; an address urllib cannot use
# raises ValueError. Each holds the comment. Anything else is a bug, left to
# propagate (Folio logs it and counts the check as no vote).
CALL_ERRORS = (OSError, http.client.HTTPException, ValueError)


def checked_service_url(url: str) -> str:
    """The service address if it is an http(s) URL with a host; else ValueError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"AKISMET_URL must be an http(s) address, not {url!r}")
    return url.strip()


@dataclass(frozen=True)
class Settings:
    """The plugin's settings for one app."""

    api_key: str
    url: str = DEFAULT_URL
    timeout: float = 3.0
    test: bool = False

    @property
    def check_url(self) -> str:
        """The comment-check endpoint under the configured service URL."""
        return f"{self.url.rstrip('/')}/1.1/comment-check"


@dataclass(frozen=True)
class Reply:
    """What the service answered: HTTP status, body and the Akismet headers."""

    status: int
    body: str
    pro_tip: str = ""
    debug_help: str = ""


def post_form(url: str, fields: dict[str, str], timeout: float) -> Reply:
    """POST the fields form-encoded; an HTTP error status is a reply too."""
    request = Request(
        url,
        data=urlencode(fields).encode("utf-8"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": USER_AGENT,
        },
        method="POST",
    )
    try:
        with urlopen(request, timeout=timeout) as response:
            return _reply(response.status, response.read(MAX_BODY), response.headers)
    except HTTPError as exc:
        with exc:
            return _reply(exc.code, b"", exc.headers)


def _reply(status: int, body: bytes, headers: Message) -> Reply:
    return Reply(
        status=status,
        body=body.decode("utf-8", "replace").strip(),
        pro_tip=(headers.get("X-akismet-pro-tip") or "").strip().lower(),
        debug_help=(headers.get("X-akismet-debug-help") or "").strip(),
    )


def failure_cause(exc: BaseException) -> str:
    """A short cause for a failed call, naming no address, key or comment."""
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, str):
        return reason[:60]
    return reason.__class__.__name__
