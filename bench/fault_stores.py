"""Where a fault run keeps its data, and how it is prepared and read back.

SQLite goes on a small tmpfs of its own (so the disk can be filled), PostgreSQL
into a private cluster (so its server can be restarted). Afterwards the rows are
read through SQLAlchemy and the database's own integrity check runs.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from bench import pg_cluster
from bench.fault_load import HOST
from bench.fault_load import free_port
from bench.fault_table import FULL
from bench.fault_table import RESTART
from bench.pg_cluster import Cluster
from bench.tmpfs_disk import SmallDisk

ROOT = Path(__file__).resolve().parent.parent
# Where each target's posts land, and the column the unique marker goes into.
TABLES = {"comments": ("comments", "body"), "contact": ("contact_messages", "message")}
# Migrate and seed in one process: each `flask` command would import the app
# again, seconds apiece on a busy machine. 30 generated articles make several
# list pages for the readers.
PREPARE = """\
from app import create_app
from app import init_migrations
app = create_app()
init_migrations(app)  # create_app() adds `flask db` only under the flask command
with app.app_context():
    for args in (["db", "upgrade"], ["seed-demo"], ["seed-demo", "--articles", "30"]):
        app.cli.main(args, standalone_mode=False)
"""


@dataclass
class Store:
    """Where one phase keeps its data, and the database faults it can take."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    db_path: Path | None = None  # SQLite's file
    disk: SmallDisk | None = None  # the tmpfs it is on, when mounted
    cluster: Cluster | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "SQLite" if self.kind == "sqlite" else "PostgreSQL"


def sqlite_store(tmp: Path, cleanup: ExitStack) -> Store:
    """SQLite on a small tmpfs of its own, or in the temp folder without root."""
    disk = SmallDisk(tmp / "disk")
    reason = disk.mount()
    if reason:
        db_path = tmp / "folio.db"
        note = f"{FULL}: skipped ({reason})"
        return Store("sqlite", f"sqlite:///{db_path}", db_path, notes=[note])
    cleanup.callback(disk.unmount)
    db_path = disk.path / "folio.db"  # its -wal, -shm and write gate beside it
    note = f"database on a {disk.size_mb} MB tmpfs at {disk.path}"
    return Store("sqlite", f"sqlite:///{db_path}", db_path, disk, notes=[note])


def postgresql_store(bin_dir: Path, cleanup: ExitStack) -> Store | None:
    """A private PostgreSQL cluster, started; None when none can be made here."""
    reason = pg_cluster.unavailable(bin_dir)
    if reason:
        print(f"faults: PostgreSQL phase and {RESTART}: skipped ({reason})")
        return None
    cluster = Cluster(free_port(), bin_dir)
    cleanup.callback(cluster.remove)
    cluster.start()
    note = f"private cluster in {cluster.folder}, 127.0.0.1:{cluster.port}"
    return Store("postgresql", cluster.url, cluster=cluster, notes=[note])


def environment(store: Store, port: int, smtp_port: int) -> dict[str, str]:
    """The environment of `flask` and gunicorn for this run."""
    env = dict(os.environ)
    env.update(
        FLASK_APP="app",
        FOLIO_ENV="production",
        FOLIO_SECRET_KEY=secrets.token_hex(32),
        FOLIO_DATABASE_URL=store.url,
        FOLIO_HTMX_CDN="false",
        FOLIO_RATELIMIT_ENABLED="false",
        FOLIO_SPAM_MIN_SECONDS="0",
        # The SMTP server is down: nothing listens on this port.
        FOLIO_SMTP_HOST=HOST,
        FOLIO_SMTP_PORT=str(smtp_port),
        FOLIO_SMTP_SECURITY="none",
        FOLIO_SMTP_TIMEOUT="2",
        FOLIO_CONTACT_RECIPIENTS="staff@example.org",
        FOLIO_SITE_URL=f"http://{HOST}:{port}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if store.disk:
        # SQLite's own temporary files go on the small disk too.
        env["SQLITE_TMPDIR"] = str(store.disk.path)
    env.pop("FLASK_DEBUG", None)
    env.pop("FOLIO_TEST_DATABASE_URL", None)
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate the database and seed the demo content."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARE],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"faults: migrating and seeding failed:\n{done.stderr[-2000:]}"
        )


@dataclass
class Stored:
    """What the database holds after a run, and its integrity check's verdict."""

    found: set[str]  # the markers of the run's posts
    total: int  # rows in the target table
    outbox: str
    check: str  # the check's name
    verdict: str  # "ok" when clean


def read_back(store: Store, target: str, run_id: str) -> Stored:
    """Find the run's markers in the target table, read the outbox, check integrity."""
    table, column = TABLES[target]
    pattern = re.compile(rf"fault-{run_id}-\d+")
    engine = create_engine(store.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            found = set()
            for (body,) in conn.execute(
                text(f"SELECT {column} FROM {table} WHERE {column} LIKE :marker"),
                {"marker": f"%fault-{run_id}-%"},
            ):
                found.update(pattern.findall(body))
            total = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            queued, sent, failed = conn.execute(
                text(
                    "SELECT count(*), count(sent_at), "
                    "sum(CASE WHEN last_error != '' THEN 1 ELSE 0 END) FROM outbox"
                )
            ).one()
    finally:
        engine.dispose()
    outbox = f"{queued} queued, {sent} sent, {failed or 0} with a send error (kept)"
    return Stored(found, total, outbox, *integrity(store))


def integrity(store: Store) -> tuple[str, str]:
    """The check that suits the database, and its verdict ("ok" when clean)."""
    if store.cluster:
        return "pg_amcheck", store.cluster.check()
    conn = sqlite3.connect(store.db_path, timeout=30)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "integrity_check", "; ".join(row[0] for row in rows)
