"""Folio under gunicorn on 127.0.0.1: start, find the workers, read their CPU and memory."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from bench.dataset import ROOT
from tests.support.gunicorn_server import stop_gunicorn

CONF = Path(__file__).resolve().parent / "gunicorn.conf.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(
    port: int,
    workers: int,
    worker_class: str,
    threads: int,
    app: str = "app:create_app()",
) -> list[str]:
    """The gunicorn command line the benchmark serves Folio with."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(CONF),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
    ]
    if threads > 1:
        command += ["--threads", str(threads)]
    return command + [app]


@dataclass
class Server:
    """A gunicorn master the benchmark started, and how to reach it."""

    database_url: str
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1
    env: dict[str, str] = field(default_factory=dict)
    # gunicorn's app argument: the factory may take literal arguments.
    app: str = "app:create_app()"
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, timeout: float = 30.0) -> Server:
        """Start gunicorn and wait until /healthz answers from every worker."""
        self.port = free_port()
        env = os.environ | {
            "FOLIO_DATABASE_URL": self.database_url,
            "FOLIO_SECRET_KEY": secrets.token_hex(32),
            "FOLIO_ENV": "production",
            "FOLIO_SITE_URL": f"http://127.0.0.1:{self.port}",
            "FOLIO_HTMX_CDN": "true",
        }
        env.pop("FLASK_DEBUG", None)
        env.update(self.env)
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self._log = log
        self.process = subprocess.Popen(
            gunicorn_command(
                self.port, self.workers, self.worker_class, self.threads, self.app
            ),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_up(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited; see {self.log_path}:\n{self.log()}"
                )
            if len(self.worker_pids()) >= self.workers and self._healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not come up in {timeout:.0f} s")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as resp:
                return resp.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def log(self) -> str:
        """The last lines gunicorn wrote."""
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])

    def worker_pids(self) -> list[int]:
        """The pids of the master's worker processes."""
        if self.process is None:
            return []
        return child_pids(self.process.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU used so far by all current workers."""
        return sum(process_cpu_seconds(pid) for pid in self.worker_pids())

    def worker_rss_mb(self) -> list[float]:
        """Resident memory (VmRSS) of each worker, in MB."""
        return [rss_mb(pid) for pid in self.worker_pids()]

    def worker_pss_mb(self) -> list[float]:
        """Proportional set size of each worker, in MB (0 where unreadable)."""
        return [pss_mb(pid) for pid in self.worker_pids()]

    def stop(self) -> None:
        """Stop the master (gunicorn stops its workers); kill it if it hangs."""
        process, self.process = self.process, None
        if process is not None:
            stop_gunicorn(process)
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
            self._log = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def child_pids(pid: int) -> list[int]:
    """The direct children of pid, from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return sorted(int(p) for p in children.read_text().split())
    except OSError:
        pass
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def pss_mb(pid: int) -> float:
    """Proportional set size in MB: resident pages, shared ones divided among sharers."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
