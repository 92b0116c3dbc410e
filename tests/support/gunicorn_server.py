"""Folio under gunicorn on 127.0.0.1, for tests that need real worker processes.

The server runs for a bounded time: it is stopped by its PID when the test
leaves the block, and a timer stops it anyway after `lifetime` seconds.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.fixtures import ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's child processes, from /proc."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in children.split()]


@contextmanager
def gunicorn_folio(
    database_url: str,
    instance: Path,
    env: dict[str, str] | None = None,
    workers: int = 4,
    lifetime: float = 120.0,
) -> Iterator[str]:
    """Serve Folio with `workers` sync workers and the deployed settings; yield its URL.

    The app is made by `create_app({"INSTANCE_PATH": instance})`, so every
    default that lives in the instance folder is this test's own.
    """
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FOLIO_", "FLASK_"))
    }
    environment |= {
        "FOLIO_DATABASE_URL": database_url,
        "FOLIO_SECRET_KEY": secrets.token_hex(32),
        "FOLIO_ENV": "production",
        "FOLIO_SITE_URL": f"http://127.0.0.1:{port}",
        "FOLIO_OUTBOX_WORKER": "false",
        **(env or {}),
    }
    log = open(instance.parent / f"gunicorn-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--graceful-timeout",
            "5",
            f"app:create_app({{'INSTANCE_PATH': {str(instance)!r}}})",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    watchdog = threading.Timer(lifetime, stop_gunicorn, args=(process,))
    watchdog.daemon = True
    watchdog.start()
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(process, url, workers, log.name)
        yield url
    finally:
        watchdog.cancel()
        stop_gunicorn(process)
        log.close()


def _wait_until_up(
    process: subprocess.Popen, url: str, workers: int, log: str, timeout: float = 60.0
) -> None:
    """Wait until every worker has started and /healthz answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{Path(log).read_text()[-2000:]}")
        if len(worker_pids(process.pid)) >= workers:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not come up in {timeout:.0f} s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
