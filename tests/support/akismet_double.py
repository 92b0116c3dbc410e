"""A local Akismet-compatible service for tests: records what it is sent, answers by rule.

Rules, on the form it receives: author "viagra-test-123" (Akismet's documented
test value) is spam; a body containing "holdme" gets "invalid" with a debug
header; "crashme" gets a 500; "discardme" is spam with the discard pro-tip;
"slowme" waits until ``release`` is set (a timeout test); anything else is not spam.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs

SPAM_AUTHOR = "viagra-test-123"


class AkismetDouble:
    """The service, on 127.0.0.1 and a free port, in a thread of its own."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.release = threading.Event()
        # Called in the server's thread for each request, before it answers.
        self.on_request: Callable[[dict[str, str]], None] | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        # The timed-out client has gone when the slow answer is written: quiet.
        self.server.handle_error = lambda request, client_address: None
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def start(self) -> AkismetDouble:
        """Serve in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (a later call is refused)."""
        self.release.set()
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()

    def answer(self, form: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        """Status, body and headers for a received form."""
        body = form.get("comment_content", "")
        if "slowme" in body:
            self.release.wait(timeout=10)
        if form.get("comment_author") == SPAM_AUTHOR:
            return 200, "true", {}
        if "discardme" in body:
            return 200, "true", {"X-akismet-pro-tip": "discard"}
        if "holdme" in body:
            return 200, "invalid", {"X-akismet-debug-help": "Empty 'blog' value"}
        if "crashme" in body:
            return 500, "", {}
        return 200, "false", {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode("utf-8")
                form = {
                    k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()
                }
                double.paths.append(self.path)
                double.received.append(form)
                if double.on_request:
                    double.on_request(form)
                status, body, headers = double.answer(form)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, format, *args) -> None:
                pass

        return Handler


def main() -> None:
    """Serve the double on 127.0.0.1:PORT (default 8765) until interrupted."""
    import sys

    double = AkismetDouble(int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(f"Akismet double on {double.url}; Ctrl-C stops it", flush=True)
    try:
        double.server.serve_forever()
    except KeyboardInterrupt:
        double.server.server_close()


if __name__ == "__main__":
    main()
