"""The faults a run injects, each in its own thread, timed from the load's start."""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import threading
import time
from pathlib import Path

from bench.fault_load import Run
from bench.fault_stores import Store
from bench.fault_table import FULL
from bench.fault_table import KILL
from bench.fault_table import LOCK
from bench.fault_table import RESTART
from bench.pg_cluster import Cluster
from bench.tmpfs_disk import SmallDisk


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's child processes (its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == master:
            pids.append(int(entry.name))
    return pids


def killer(run: Run, master: int, every: float, stop: threading.Event) -> None:
    """SIGKILL a random worker every few seconds."""
    rng = random.Random()
    while not stop.wait(every) and time.monotonic() < run.deadline:
        pids = worker_pids(master)
        if pids:
            pid = rng.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)
                now = time.monotonic()
                run.fault(KILL, now, now)
                run.log(f"SIGKILL worker {pid}")
            except ProcessLookupError:
                pass


def lock_holder(run: Run, db_path: Path, start: float, hold: float) -> None:
    """Hold SQLite's write lock from another connection for `hold` seconds."""
    run.wait_until(start)
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        begun = time.monotonic()
        run.log(f"external writer holds the write lock for {hold:g} s")
        time.sleep(hold)
        conn.execute("COMMIT")
        run.fault(LOCK, begun, time.monotonic())
        run.log("external writer released the lock")
    finally:
        conn.close()


def disk_filler(
    run: Run, disk: SmallDisk, db_path: Path, start: float, hold: float
) -> None:
    """Fill the database's tmpfs for `hold` seconds, then free it."""
    run.wait_until(start)
    # A checkpointed write-ahead log is rewritten from its start, in space it
    # already holds: truncated, the next commit needs new space at once.
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    try:
        written = disk.fill()
        full = time.monotonic()
        run.log(
            f"disk full: filler wrote {written / 2**20:.1f} MB, "
            f"{disk.available()} bytes left"
            + (" (the WAL could not be truncated: readers)" if busy else "")
        )
        time.sleep(hold)
    finally:
        disk.free()
    run.fault(FULL, full, time.monotonic())
    run.log(f"disk freed: {disk.available() / 2**20:.1f} MB available")


def restarter(run: Run, cluster: Cluster, offsets: list[float]) -> None:
    """Restart the private PostgreSQL server at each offset (fast mode)."""
    for offset in offsets:
        run.wait_until(offset)
        if time.monotonic() >= run.deadline:
            return
        run.log("PostgreSQL restart (pg_ctl restart -m fast)")
        begun = time.monotonic()
        cluster.restart()
        run.fault(RESTART, begun, time.monotonic())
        run.log(
            f"PostgreSQL accepts connections again ({time.monotonic() - begun:.1f} s)"
        )


def inject(run: Run, function, args: tuple) -> None:
    """Run one fault; one that could not be injected fails the run, saying why."""
    try:
        function(run, *args)
    except Exception as exc:  # the thread would print it and the run would pass
        with run.lock:
            run.problems.append(f"{function.__name__} failed: {exc}")
        run.log(f"{function.__name__} failed: {exc}")


def schedule(args: argparse.Namespace, store: Store, seconds: float) -> list[tuple]:
    """The database faults of this phase: (function, arguments) to run in threads."""
    if store.cluster:
        count = max(args.restarts, 0)
        offsets = [seconds * 0.8 * (k + 1) / (count + 1) for k in range(count)]
        return [(restarter, (store.cluster, offsets))]
    # The lock first, the full disk later, each over before the next begins
    # and with time left to see posting work again.
    lock = min(args.lock_seconds, 0.4 * seconds)
    faults = [(lock_holder, (store.db_path, 0.1 * seconds, lock))]
    if store.disk:
        full = min(args.full_seconds, 0.2 * seconds)
        faults.append((disk_filler, (store.disk, store.db_path, 0.6 * seconds, full)))
    return faults
