"""The background sender: one daemon thread per app and process, started lazily.

It sends right after a request queued mail (kick()) and every
FOLIO_OUTBOX_POLL_SECONDS for retries. It never runs inside a request and
swallows (logs) every error, so mail trouble can never fail or slow a reader's
request. It starts on the first request a process serves, not at import, so each
gunicorn worker forked from the master gets its own thread; the claim-with-lease
in outbox.py keeps several of them from sending the same mail.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from flask import Flask


class OutboxWorker:
    """Runs send(app) in a background thread when kicked, and periodically."""

    def __init__(self, app: Flask, send: Callable) -> None:
        self.app = app
        self._send = send
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()

    @property
    def enabled(self) -> bool:
        """True when this app should send from a background thread."""
        config = self.app.config
        return bool(config["OUTBOX_WORKER"] and config["SMTP_HOST"])

    @property
    def running(self) -> bool:
        """True when this process's thread is alive."""
        return (
            self._pid == os.getpid()
            and self._thread is not None
            and self._thread.is_alive()
        )

    def ensure_started(self) -> None:
        """Start the thread in this process if it is enabled and not running yet."""
        if not self.enabled or self.running:
            return
        with self._lock:
            if self.running:
                return
            # After a fork the parent's thread does not exist here: start afresh.
            self._pid = os.getpid()
            self._wake = threading.Event()
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run,
                args=(self._wake, self._stop),
                name="folio-outbox",
                daemon=True,
            )
            self._thread.start()

    def kick(self) -> None:
        """Ask the thread to send now (starting it if needed); never blocks."""
        if not self.enabled:
            return
        self.ensure_started()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current round (tests, shutdown)."""
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        if self._pid == os.getpid():
            self._thread.join(timeout)
        self._thread = None

    def _run(self, wake: threading.Event, stop: threading.Event) -> None:
        poll = max(1, int(self.app.config["OUTBOX_POLL_SECONDS"]))
        while not stop.is_set():
            wake.clear()
            try:
                report = self._send(self.app)
            except Exception:  # a bug or the database: log, keep the thread alive
                self.app.logger.exception("outbox: background send failed")
                report = None
            if stop.is_set():
                break
            if report is not None and report.more_may_be_due:
                continue
            wake.wait(poll)
