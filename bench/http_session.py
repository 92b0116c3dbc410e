"""A tiny cookie-keeping HTTP client for the harnesses: one connection per request.

It posts URL-encoded forms or multipart bodies (a text field sent as a file
part is one of the findings the security smoke replays), never follows a
redirect, and can send extra headers (a forged Host, X-Forwarded-For).
"""

from __future__ import annotations

import http.client
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

HOST = "127.0.0.1"


@dataclass
class Answer:
    """One response: status, headers (lower-case names), text."""

    status: int
    headers: dict[str, str]
    text: str
    cookies: list[str]  # the Set-Cookie headers, as sent


def multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body: fields as text parts, files as file parts."""
    boundary = "folio-" + secrets.token_hex(8)
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n"
        )
    for name, value in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{name}.txt"\r\nContent-Type: text/plain\r\n\r\n{value}\r\n'
        )
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


class Session:
    """Keeps the cookies the server sets; a new connection per request."""

    def __init__(self, port: int, timeout: float = 60.0, **headers: str) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.headers = {
            name.replace("_", "-"): value for name, value in headers.items()
        }

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request and keep what it sets."""
        sent = {"Connection": "close", "User-Agent": "folio-harness/1", **self.headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            sent["Content-Type"] = content_type
        sent.update(headers or {})
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            set_cookies = response.headers.get_all("Set-Cookie") or []
            for value in set_cookies:
                pair = value.split(";", 1)[0]
                if "=" in pair:
                    key, val = pair.split("=", 1)
                    self.cookies[key.strip()] = val.strip()
            lower = {k.lower(): v for k, v in response.getheaders()}
            return Answer(response.status, lower, text, set_cookies)
        finally:
            conn.close()

    def get(self, path: str, **headers: str) -> Answer:
        """GET path."""
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: list[tuple[str, str]], **headers: str) -> Answer:
        """POST a URL-encoded form."""
        body = urlencode(data).encode()
        return self.request(
            "POST", path, body, "application/x-www-form-urlencoded", headers
        )

    def post_multipart(
        self, path: str, data: list[tuple[str, str]], files: list[tuple[str, str]]
    ) -> Answer:
        """POST a multipart form with some fields sent as file parts."""
        body, content_type = multipart(data, files)
        return self.request("POST", path, body, content_type)
