"""Load and fault harness: is everything Folio acknowledged really saved?

Starts Folio under gunicorn (4 workers, 127.0.0.1 on a free port), once on
SQLite and once on PostgreSQL, then for a bounded time runs concurrent posters
(through the real form: GET the page, read the form from the HTML, POST it)
and readers, while injecting faults:

- SIGKILL of a random gunicorn worker every few seconds;
- the SMTP server down (mail points at a closed local port);
- SQLite: an external connection holding the write lock for 8 s, and a full
  disk (the database is on a 64 MB tmpfs that a filler file fills for 5 s);
- PostgreSQL: the server restarted twice (a private cluster the harness
  creates, never the shared one).

Afterwards it compares every acknowledged post with the rows in the database
and prints the figures and a table of the faults. It exits non-zero on any
acknowledged-but-missing row, any 500, any 503 without Retry-After, a failed
integrity check, a lasting fault after which no post was acknowledged, or when
no post was acknowledged at all (then nothing was tested). The full disk and
the private cluster need root; without it they are skipped, saying so.

The standard library does the load (with the form reader the bad-input tests
share, tests/support/html_forms.py); SQLAlchemy reads the rows afterwards.
Run `python -m bench.faults --help`.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from bench import fault_table
from bench import pg_cluster
from bench.fault_injection import inject
from bench.fault_injection import killer
from bench.fault_injection import schedule
from bench.fault_load import HOST
from bench.fault_load import Run
from bench.fault_load import find_target
from bench.fault_load import free_port
from bench.fault_load import poster
from bench.fault_load import read_paths
from bench.fault_load import reader
from bench.fault_stores import ROOT
from bench.fault_stores import Store
from bench.fault_stores import Stored
from bench.fault_stores import environment
from bench.fault_stores import postgresql_store
from bench.fault_stores import prepare
from bench.fault_stores import read_back
from bench.fault_stores import sqlite_store
from bench.fault_table import ORDER
from bench.fault_table import SMTP
from bench.fault_table import Window
from bench.http_session import Session as Client
from bench.pg_cluster import ClusterError


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values, in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


def main(argv: list[str] | None = None) -> int:
    """Run the harness on each database asked for; return the exit status."""
    args = arguments(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    rows: list[fault_table.Row] = []
    failed = []
    for kind in kinds:
        tmp = Path(tempfile.mkdtemp(prefix="folio-faults-"))
        status = 1
        try:
            status = harness(args, tmp, kind, rows)
        except ClusterError as exc:
            print(f"faults: PostgreSQL: {exc}")
        finally:
            if status == 0 and not args.keep:
                shutil.rmtree(tmp, ignore_errors=True)
        if status:
            failed.append(kind)
    print()
    print("Fault table (requests during = in flight at some moment of the fault)")
    print(fault_table.render(rows))
    if failed:
        print(f"FAIL: {', '.join(failed)}")
        return 1
    print("PASS")
    return 0


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="per database")
    parser.add_argument(
        "--target", choices=["auto", "comments", "contact"], default="auto"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--posters", type=int, default=16)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument(
        "--lock-seconds", type=float, default=8.0, help="at most 40%% of the run"
    )
    parser.add_argument(
        "--full-seconds", type=float, default=5.0, help="at most 20%% of the run"
    )
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--pg-bin", type=Path, default=pg_cluster.newest_bin())
    parser.add_argument(
        "--app", default="app:create_app()", help="gunicorn app (for trying stubs)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    return parser.parse_args(argv)


def serve(args: argparse.Namespace, port: int, env: dict, log) -> subprocess.Popen:
    """Start gunicorn for this phase."""
    command = [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}"]
    command += ["--workers", str(args.workers), "--timeout", "30"]
    command += ["--graceful-timeout", "5", args.app]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    """Wait until /healthz answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"faults: gunicorn exited with {proc.returncode}")
        try:
            status = Client(port, timeout=2).get("/healthz").status
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("faults: gunicorn did not become ready")


def load(args, proc, port: int, store: Store, seconds: float) -> tuple[Run, float]:
    """Post and read until the time is up while the faults are injected."""
    wait_ready(port, proc)
    target = find_target(port, args.target)
    print(
        f"faults: {store.label}, target {target.name} ({target.page}), "
        f"{args.posters} posters, {args.readers} readers, {seconds:g} s"
    )
    run = Run(port, target, time.monotonic() + seconds)
    reads = read_paths(port, target)
    stop = threading.Event()
    threads = [
        threading.Thread(target=poster, args=(run,)) for _ in range(args.posters)
    ]
    threads += [
        threading.Thread(target=reader, args=(run, reads)) for _ in range(args.readers)
    ]
    injected = [(killer, (proc.pid, args.kill_every, stop))]
    injected += schedule(args, store, seconds)
    faults = [
        threading.Thread(target=inject, args=(run, function, fault_args))
        for function, fault_args in injected
    ]
    for thread in threads + faults:
        thread.daemon = True
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    for thread in faults:
        thread.join()
    return run, time.monotonic() - run.started


def harness(
    args: argparse.Namespace, tmp: Path, kind: str, rows: list[fault_table.Row]
) -> int:
    """One database: start Folio, load it while injecting faults, check what was saved."""
    with ExitStack() as cleanup:
        if kind == "sqlite":
            store = sqlite_store(tmp, cleanup)
        else:
            store = postgresql_store(args.pg_bin, cleanup)
            if store is None:
                return 0
        port, smtp_port = free_port(), free_port()
        env = environment(store, port, smtp_port)
        print(
            f"faults: {store.label}, Folio in {tmp}, http://{HOST}:{port}/, "
            f"SMTP down on :{smtp_port}; " + "; ".join(store.notes)
        )
        prepare(env)
        with (tmp / "gunicorn.log").open("w") as log:
            proc = serve(args, port, env, log)
            try:
                run, elapsed = load(args, proc, port, store, args.seconds)
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        stored = read_back(store, run.target.name, run.run_id)
        phase = fault_rows(store, run, stored.found)
        rows.extend(phase)
        figures(args, store, run, elapsed, stored, phase)
        problems = failures(run, stored, phase)
        if problems:
            print(f"FAIL ({store.label}): " + "; ".join(problems))
            if store.cluster:
                shutil.copy(store.cluster.log, tmp / "postgresql.log")
            print(f"  logs: {tmp}")
            return 1
        print(f"PASS ({store.label})")
        return 0


def figures(
    args, store: Store, run: Run, elapsed: float, stored: Stored, phase
) -> None:
    """Print one phase's figures, and which lasting faults refused nothing."""
    missing = run.acked - stored.found
    statuses = Counter(r.status for r in run.results)
    posts = [r.seconds for r in run.results if r.kind == "post" and r.status]
    reads = [r.seconds for r in run.results if r.kind == "read" and r.status]
    five = {s: n for s, n in sorted(statuses.items()) if s >= 500}
    four = {s: n for s, n in sorted(statuses.items()) if 400 <= s < 500}
    print()
    print(
        f"Fault harness: {store.label}, {run.target.name}, {elapsed:.1f} s, "
        f"{args.workers} workers"
    )
    print(f"  requests                     {len(run.results)}")
    print(f"  posts sent                   {len(run.sent)}")
    print(f"  posts acknowledged           {len(run.acked)}")
    print(
        f"  rows found                   {len(stored.found)} (table total {stored.total})"
    )
    print(f"  acknowledged but missing     {len(missing)}")
    print(f"  rows without acknowledgement {len(stored.found - run.acked)}")
    print(f"  post statuses                {dict(sorted(run.post_statuses.items()))}")
    print(f"  5xx by status                {five or 'none'}")
    print(f"  503 without Retry-After      {len(bad_503s(run))}")
    print(f"  503 not the site's page      {len(plain_503s(run))}")
    print(f"  4xx by status                {four or 'none'}")
    print(f"  no answer (worker killed)    {dict(run.errors) or 'none'}")
    print(
        f"  latency reads  p50/p99       {percentile(reads, 50):.0f} / "
        f"{percentile(reads, 99):.0f} ms ({len(reads)})"
    )
    print(
        f"  latency posts  p50/p99       {percentile(posts, 50):.0f} / "
        f"{percentile(posts, 99):.0f} ms ({len(posts)})"
    )
    print(f"  {stored.check:<28} {stored.verdict}")
    print(f"  outbox (SMTP down)           {stored.outbox}")
    print(f"  faults                       {len(run.events)} events")
    for note in store.notes:
        print(f"  note: {note}")
    for row in phase:
        if row.lasting and not row.refused:
            print(f"  note: no request was refused during the {row.fault}")


def bad_503s(run: Run) -> list:
    """503 answers without Retry-After."""
    return [r for r in run.results if r.status == 503 and not r.retry_after]


def plain_503s(run: Run) -> list:
    """503 answers that are not the site's error page (a proxy's, gunicorn's)."""
    return [r for r in run.results if r.status == 503 and not r.site_page]


def failures(run: Run, stored: Stored, phase: list[fault_table.Row]) -> list[str]:
    """What broke Folio's promise in this phase (nothing: it passed)."""
    missing = sorted(run.acked - stored.found, key=lambda m: int(m.rsplit("-", 1)[1]))
    errors = sum(1 for r in run.results if r.status == 500)
    found = list(run.problems)
    if missing:
        found.append(f"{len(missing)} acknowledged posts missing: {missing[:5]}")
    if errors:
        found.append(f"{errors} responses were 500")
    if bad_503s(run):
        found.append(f"{len(bad_503s(run))} 503 responses lacked Retry-After")
    if plain_503s(run):
        found.append(f"{len(plain_503s(run))} 503 responses were not the site's page")
    if stored.verdict != "ok":
        found.append(f"{stored.check}: {stored.verdict}")
    if not run.acked:
        found.append("no post was acknowledged: nothing was tested")
    for row in phase:
        if row.lasting and row.recovery is None:
            found.append(f"no post was acknowledged after the {row.fault} ended")
    return found


def fault_rows(store: Store, run: Run, found: set[str]) -> list[fault_table.Row]:
    """This phase's lines of the fault table: each fault, then every request."""
    rows = [
        fault_table.row(
            store.label,
            name,
            [w for w in run.windows if w.fault == name],
            run.results,
            found,
        )
        for name in ORDER
        if any(w.fault == name for w in run.windows)
    ]
    whole = Window(SMTP, run.started, max((r.ended for r in run.results), default=0))
    everything = fault_table.row(store.label, SMTP, [whole], run.results, found)
    everything.lasting = False
    return rows + [everything]


if __name__ == "__main__":
    sys.exit(main())
