"""Slow clients (a slowloris) against gunicorn alone and behind the shipped nginx site.

    python -m bench.slow_clients [--connections 196] [--seconds 20] [--workers 4]

Starts Folio under gunicorn (the deployed settings, sync workers, SQLite in a
temporary folder, 127.0.0.1 on a free port) and nginx with deploy/nginx-folio.conf
(made to listen on another free local port, without TLS). Then, once straight
at gunicorn and once through nginx, it holds that many slow connections open
(half send their headers a line a second, half a form body a byte a second, and
each reconnects when dropped) while a reader asks for the home page again and
again, and prints how many of the reader's requests were answered and how fast.
Everything it starts is stopped by PID when it ends.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import ROOT
from bench.dataset import migrate
from bench.server import Server
from bench.server import free_port

SITE_CONF = ROOT / "deploy" / "nginx-folio.conf"
HOST = "127.0.0.1"
SERVER_NAME = "blog.example.com"
PROBE_TIMEOUT = 3.0


def nginx_binary() -> str | None:
    """Debian's nginx, if installed (`make test` installs it as root)."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )


def _replace(text: str, old: str, new: str) -> str:
    """Replace a line of the shipped site; fail loudly when it is not there."""
    if old not in text:
        raise SystemExit(f"slow_clients: {SITE_CONF.name} no longer has {old!r}")
    return text.replace(old, new)


def local_site(port: int, upstream: int, media_parent: Path | None = None) -> str:
    """The shipped HTTPS server block, listening on port without TLS.

    media_parent: the folder holding the `media/` folder nginx serves images from.
    """
    text = SITE_CONF.read_text()
    # The port-80 block only redirects to HTTPS: the first server { ... }.
    text = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", text, count=1, flags=re.S)
    text = _replace(text, "listen 443 ssl http2;", f"listen {HOST}:{port};")
    text = re.sub(r"^\s*ssl_certificate(_key)? .*\n", "", text, flags=re.M)
    text = _replace(text, "http://127.0.0.1:8000;", f"http://{HOST}:{upstream};")
    if media_parent is not None:
        text = _replace(text, "root /var/lib/folio;", f"root {media_parent};")
    return _replace(text, "/srv/folio/static/", f"{ROOT}/static/")


def main_config(tmp: Path, site: str) -> str:
    """nginx.conf around the site, as Debian's is, with every path in tmp."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"    {kind}_temp_path {tmp}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes auto;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/nginx-error.log warn;\n"
        "events { worker_connections 768; }\n"
        f"http {{\n    access_log off;\n{temp_paths}{site}}}\n"
    )


class Nginx:
    """An nginx master started for the run, stopped by its PID."""

    def __init__(
        self, tmp: Path, port: int, upstream: int, media_parent: Path | None = None
    ) -> None:
        self.port = port
        self.conf = tmp / "nginx.conf"
        site = local_site(port, upstream, media_parent)
        self.conf.write_text(main_config(tmp, site))
        self.log = tmp / "nginx-error.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        binary = nginx_binary()
        if binary is None:
            raise SystemExit(
                "slow_clients: nginx is not installed (apt-get install nginx)"
            )
        self.process = subprocess.Popen(
            [binary, "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"slow_clients: nginx exited: {self.log.read_text()}")
            try:
                socket.create_connection((HOST, self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit("slow_clients: nginx did not start")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: workers, then master
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


class Slowloris:
    """Slow connections to host:port: half trickle headers, half a form body."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.sockets: list[socket.socket | None] = [None] * count
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.reconnects = 0

    def _opening(self, index: int) -> bytes:
        if index % 2:
            return (
                f"POST /contact/ HTTP/1.1\r\nHost: {SERVER_NAME}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 100000\r\n\r\nname="
            ).encode()
        return f"GET / HTTP/1.1\r\nHost: {SERVER_NAME}\r\n".encode()

    def _trickle(self, index: int) -> bytes:
        return b"x" if index % 2 else f"X-Slow-{index}: 1\r\n".encode()

    def _connect(self, index: int) -> None:
        try:
            sock = socket.create_connection((HOST, self.port), timeout=2)
            sock.sendall(self._opening(index))
            self.sockets[index] = sock
        except OSError:
            self.sockets[index] = None

    def _run(self) -> None:
        for index in range(self.count):
            self._connect(index)
        while not self.stopping.wait(1.0):
            for index, sock in enumerate(self.sockets):
                try:
                    if sock is None:
                        raise OSError
                    sock.sendall(self._trickle(index))
                except OSError:
                    if sock is not None:
                        sock.close()
                    self.reconnects += 1
                    self._connect(index)

    def __enter__(self) -> Slowloris:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)
        for sock in self.sockets:
            if sock is not None:
                sock.close()


@dataclass
class Outcome:
    """What the reader saw while the slow connections were held."""

    target: str
    connections: int
    latencies: list[float]
    failures: int

    @property
    def asked(self) -> int:
        return len(self.latencies) + self.failures

    def row(self) -> str:
        answered = len(self.latencies)
        median = f"{statistics.median(self.latencies) * 1000:.0f}" if answered else "-"
        worst = f"{max(self.latencies) * 1000:.0f}" if answered else "-"
        return (
            f"| {self.target} | {self.connections} | {self.asked} | {answered} "
            f"| {median} | {worst} |"
        )


def probe(port: int, seconds: float) -> tuple[list[float], int]:
    """Ask for the home page for seconds; latencies of answers, count of failures."""
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        connection = http.client.HTTPConnection(HOST, port, timeout=PROBE_TIMEOUT)
        try:
            connection.request("GET", "/", headers={"Host": SERVER_NAME})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                latencies.append(time.monotonic() - started)
            else:
                failures += 1
        except OSError:
            failures += 1
        finally:
            connection.close()
        time.sleep(0.25)
    return latencies, failures


def attack(target: str, port: int, connections: int, seconds: float) -> Outcome:
    """Hold the slow connections at port while the reader probes it."""
    with Slowloris(port, connections):
        time.sleep(1.0)  # let the slow clients take their places
        latencies, failures = probe(port, seconds)
    return Outcome(target, connections, latencies, failures)


def run(connections: int, seconds: float, workers: int) -> list[Outcome]:
    """Both runs, gunicorn alone first, in a fresh temporary folder."""
    with tempfile.TemporaryDirectory(prefix="folio-slow-") as name:
        tmp = Path(name)
        url = f"sqlite:///{tmp / 'folio.db'}"
        migrate(url)
        server = Server(url, workers=workers)
        with server.start(tmp):
            alone = attack(
                f"gunicorn alone ({workers} sync)", server.port, connections, seconds
            )
            server.stop()
            server.start(tmp)  # workers killed by gunicorn's timeout come back fresh
            nginx = Nginx(tmp, free_port(), server.port).start()
            try:
                behind = attack("nginx → gunicorn", nginx.port, connections, seconds)
            finally:
                nginx.stop()
    return [alone, behind]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=196)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    outcomes = run(args.connections, args.seconds, args.workers)
    print(
        "| target | slow connections | reader's requests | answered | median ms | worst ms |"
    )
    print("|---|---|---|---|---|---|")
    for outcome in outcomes:
        print(outcome.row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
