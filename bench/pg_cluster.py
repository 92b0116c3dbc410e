"""A private PostgreSQL cluster for one run: created, restarted and stopped here.

The harness restarts its own server, never the shared one on port 5432. The
cluster lives in a temporary folder owned by the postgres account (initdb
refuses to run as root), listens on 127.0.0.1 and a free port only, with
trust authentication, and is removed afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGES = Path("/usr/lib/postgresql")  # Debian's: one <major version>/bin each
USER = "postgres"
DATABASE = "folio"


class ClusterError(RuntimeError):
    """A pg_ctl or initdb command failed."""


def newest_bin() -> Path:
    """The newest server version's programs Debian's packages installed (15 on Debian 12)."""
    versions = [p.parent for p in PACKAGES.glob("*/bin/initdb")]
    versions.sort(
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0
    )
    return versions[-1] if versions else PACKAGES / "15" / "bin"


def unavailable(bin_dir: Path) -> str | None:
    """Why no private cluster can be made here, or None when one can."""
    if os.geteuid() != 0:
        return "needs root (to run initdb and pg_ctl as the postgres account)"
    missing = [name for name in ("initdb", "pg_ctl") if not (bin_dir / name).exists()]
    if missing:
        return f"no {', '.join(missing)} in {bin_dir}"
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return f"no {USER} account"
    return None


class Cluster:
    """initdb, start, restart and stop one throwaway server."""

    def __init__(self, port: int, bin_dir: Path) -> None:
        self.port = port
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="folio-faults-pg-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.log = self.folder / "server.log"
        self.started = False

    @property
    def url(self) -> str:
        """Folio's database URL for this cluster."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, name: str, *args: str) -> str:
        """Run one of the server's programs as the postgres account."""
        done = subprocess.run(
            ["runuser", "-u", USER, "--", str(self.bin_dir / name), *args],
            cwd=self.folder,  # the account may not enter the caller's folder
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise ClusterError(f"{name} failed: {(done.stderr or done.stdout).strip()}")
        return done.stdout

    def _pg_ctl(self, *args: str) -> None:
        # -l: the server's output goes to its log, never to our pipes (which
        # would stay open, and the call would not return, while it runs).
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), *args)

    def start(self) -> None:
        """Create the cluster and its database, and start the server."""
        self.sockets.mkdir()
        account = pwd.getpwnam(USER)
        for path in (self.folder, self.sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",  # a throwaway cluster: its files need no fsync
        )
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
            " -c max_connections=40 -c shared_buffers=16MB"
        )
        self._pg_ctl("-o", options, "-w", "-t", "60", "start")
        self.started = True
        self._run("createdb", "-h", str(self.sockets), "-p", str(self.port), DATABASE)

    def restart(self) -> None:
        """Stop the server as an administrator would (fast: sessions cut), start it."""
        self._pg_ctl("-m", "fast", "-w", "-t", "60", "restart")

    def check(self) -> str:
        """pg_amcheck over the database's tables and indexes: "ok" or what it found."""
        try:
            found = self._run(
                "pg_amcheck",
                "-h",
                str(self.sockets),
                "-p",
                str(self.port),
                "--install-missing",
                "--heapallindexed",
                DATABASE,
            )
        except ClusterError as exc:
            return str(exc)
        return found.strip() or "ok"

    def stop(self) -> None:
        """Stop the server; by its postmaster's PID when pg_ctl cannot."""
        if not self.started:
            return
        try:
            self._pg_ctl("-m", "fast", "-w", "-t", "30", "stop")
        except ClusterError:
            pid = self._postmaster_pid()
            if pid:
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown
                time.sleep(1)
        self.started = False

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def remove(self) -> None:
        """Stop the server if it runs, and delete the cluster's folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
