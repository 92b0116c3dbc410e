"""Downloading a WordPress attachment (--fetch-media): bounded in every way."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

TIMEOUT = 15
MAX_REDIRECTS = 3


class FetchProblem(OSError):
    """A download refused or failed, in one sentence."""


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows at most MAX_REDIRECTS redirects, and only to http(s)."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise FetchProblem(f"redirected to a non-http address: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_LimitedRedirects)


def fetch_image(url: str, max_bytes: int) -> bytes:
    """The bytes at url, when it answers an image of at most max_bytes."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchProblem(f"not an http(s) address: {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": "Folio importer"})
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            kind = response.headers.get_content_type()
            if not kind.startswith("image/"):
                raise FetchProblem(f"answered {kind}, not an image")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchProblem(f"{int(length)} bytes: larger than {max_bytes}")
            data = response.read(max_bytes + 1)
    except urllib.error.URLError as error:
        raise FetchProblem(f"could not download: {error.reason}") from error
    except TimeoutError as error:
        raise FetchProblem(f"no answer within {TIMEOUT} s") from error
    if len(data) > max_bytes:
        raise FetchProblem(f"larger than {max_bytes} bytes")
    return data
