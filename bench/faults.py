"""Load and fault harness: is everything Folio acknowledged really saved?

Starts Folio under gunicorn (4 workers, SQLite in a temporary folder, 127.0.0.1
on a free port), then for a bounded time runs concurrent posters (through the
real form: GET the page, read the form from the HTML, POST it) and readers,
while injecting faults:

- SIGKILL of a random gunicorn worker every few seconds;
- an external connection holding SQLite's write lock for 8 s;
- the SMTP server down (mail points at a closed local port).

Afterwards it compares every acknowledged post with the rows in the database
and prints the figures. It exits non-zero on any acknowledged-but-missing row,
any 500, any 503 without Retry-After, a failed integrity check, or when no
post was acknowledged at all (then nothing was tested).

Only the standard library is used (and the form reader the bad-input tests
share, tests/support/html_forms.py). Run `python -m bench.faults --help`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.support.html_forms import Form
from tests.support.html_forms import fill
from tests.support.html_forms import parse

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ACK_STATUSES = {200, 201, 302, 303}
# Where each target's posts land, and the column the unique marker goes into.
TABLES = {"comments": ("comments", "body"), "contact": ("contact_messages", "message")}


@dataclass
class Result:
    kind: str  # "read" or "post"
    status: int  # 0: no HTTP answer (connection reset, worker killed)
    seconds: float
    retry_after: bool = False


class Client:
    """A tiny cookie-keeping HTTP client; a new connection per request."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None
    ) -> tuple[int, dict[str, str], str]:
        """Send one request; return status, headers (lower-case) and text."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        headers = {"Connection": "close", "User-Agent": "folio-faults/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                pair = value.split(";", 1)[0]
                if "=" in pair:
                    key, val = pair.split("=", 1)
                    self.cookies[key.strip()] = val.strip()
            lower = {k.lower(): v for k, v in response.getheaders()}
            return response.status, lower, text
        finally:
            conn.close()


class Target:
    """Which form the posters use, found by reading the site's pages."""

    def __init__(self, name: str, page: str, action_pattern: str) -> None:
        self.name = name
        self.page = page
        self.action_pattern = re.compile(action_pattern)

    def form(self, html: str) -> Form | None:
        """The target form on the page, or None when it is not there."""
        for form in parse(html).forms:
            if self.action_pattern.search(form.action):
                return form
        return None


def find_target(port: int, wanted: str) -> Target:
    """Locate the comment form (on an article) or the contact form."""
    client = Client(port)
    candidates = ["comments", "contact"] if wanted == "auto" else [wanted]
    problems = []
    for name in candidates:
        if name == "comments":
            _, _, home = client.request("GET", "/")
            slugs = [
                link
                for link in parse(home).links
                if re.fullmatch(r"/articles/[^/?#]+", link)
            ]
            if not slugs:
                problems.append("comments: no article linked from /")
                continue
            target = Target("comments", slugs[0], r"/articles/[^/]+/comments/?$")
        else:
            target = Target("contact", "/contact/", r"/contact/?$")
        status, _, html = client.request("GET", target.page)
        if status == 200 and target.form(html) is not None:
            return target
        problems.append(f"{name}: no POST form on {target.page} (status {status})")
    raise SystemExit(
        "faults: no target form found ("
        + "; ".join(problems)
        + "). Is that blueprint merged?"
    )


class Run:
    """Shared state of one harness run."""

    def __init__(self, port: int, target: Target, deadline: float) -> None:
        self.port = port
        self.target = target
        self.deadline = deadline
        self.run_id = secrets.token_hex(4)
        self.lock = threading.Lock()
        self.results: list[Result] = []
        self.acked: set[str] = set()
        self.sent: set[str] = set()
        self.post_statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.events: list[str] = []
        self.counter = 0

    def record(self, result: Result) -> None:
        with self.lock:
            self.results.append(result)

    def next_marker(self) -> tuple[str, int]:
        with self.lock:
            self.counter += 1
            return f"fault-{self.run_id}-{self.counter}", self.counter

    def log(self, message: str) -> None:
        with self.lock:
            self.events.append(f"{time.strftime('%H:%M:%S')} {message}")
        print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


def timed(run: Run, kind: str, client: Client, method: str, path: str, body=None):
    """One request, recorded with its latency; (status, headers, text)."""
    started = time.monotonic()
    try:
        status, headers, text = client.request(method, path, body)
    except (OSError, http.client.HTTPException) as exc:
        run.record(Result(kind, 0, time.monotonic() - started))
        with run.lock:
            run.errors[type(exc).__name__] += 1
        return 0, {}, ""
    run.record(
        Result(kind, status, time.monotonic() - started, "retry-after" in headers)
    )
    return status, headers, text


def poster(run: Run) -> None:
    """Post through the real form until the deadline."""
    client = Client(run.port)
    while time.monotonic() < run.deadline:
        status, _, html = timed(run, "read", client, "GET", run.target.page)
        form = run.target.form(html) if status == 200 else None
        if form is None:
            time.sleep(0.2)
            continue
        marker, n = run.next_marker()
        body = urllib.parse.urlencode(fill(form, marker, n)).encode()
        action = form.action or run.target.page
        with run.lock:
            run.sent.add(marker)
        status, headers, _ = timed(run, "post", client, "POST", action, body)
        with run.lock:
            run.post_statuses[status] += 1
            if status in ACK_STATUSES:
                run.acked.add(marker)
        if status == 503:
            time.sleep(min(float(headers.get("retry-after", "1") or 1), 2.0))


def reader(run: Run, paths: list[str]) -> None:
    """Read pages until the deadline."""
    client = Client(run.port)
    rng = random.Random()
    while time.monotonic() < run.deadline:
        timed(run, "read", client, "GET", rng.choice(paths))


def read_paths(port: int, target: Target) -> list[str]:
    """What readers fetch: list pages, articles linked from them, the target page."""
    client = Client(port)
    paths = ["/", "/?page=2", "/?page=3", "/healthz", target.page]
    _, _, home = client.request("GET", "/")
    paths += sorted(
        {link for link in parse(home).links if re.fullmatch(r"/articles/[^/?#]+", link)}
    )[:8]
    return paths


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
                run.log(f"SIGKILL worker {pid}")
            except ProcessLookupError:
                pass


def lock_holder(run: Run, db_path: Path, start: float, hold: float) -> None:
    """Hold SQLite's write lock from another connection for `hold` seconds."""
    time.sleep(start)
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        run.log(f"external writer holds the write lock for {hold:g} s")
        time.sleep(hold)
        conn.execute("COMMIT")
        run.log("external writer released the lock")
    finally:
        conn.close()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    """Wait until /healthz answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"faults: gunicorn exited with {proc.returncode}")
        try:
            status, _, _ = Client(port, timeout=2).request("GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("faults: gunicorn did not become ready")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values, in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


def environment(tmp: Path, db_path: Path, port: int, smtp_port: int) -> dict[str, str]:
    """The environment of `flask` and gunicorn for this run."""
    env = dict(os.environ)
    env.update(
        FLASK_APP="app",
        FOLIO_ENV="production",
        FOLIO_SECRET_KEY=secrets.token_hex(32),
        FOLIO_DATABASE_URL=f"sqlite:///{db_path}",
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
    env.pop("FLASK_DEBUG", None)
    env.pop("FOLIO_TEST_DATABASE_URL", None)
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate the database and seed the demo content."""
    # Enough generated articles for several list pages (readers page through).
    for args in (["db", "upgrade"], ["seed-demo"], ["seed-demo", "--articles", "30"]):
        subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def count_rows(
    db_path: Path, target: str, run_id: str
) -> tuple[set[str], str, int, str]:
    """Markers found in the target table, integrity_check, total rows, outbox state."""
    table, column = TABLES[target]
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        integrity = "; ".join(
            row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()
        )
        pattern = re.compile(rf"fault-{run_id}-\d+")
        found = set()
        for (text,) in conn.execute(
            f"SELECT {column} FROM {table} WHERE {column} LIKE ?",
            (f"%fault-{run_id}-%",),
        ):
            found.update(pattern.findall(text))
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        queued, sent, failed = conn.execute(
            "SELECT count(*), count(sent_at), "
            "sum(CASE WHEN last_error != '' THEN 1 ELSE 0 END) FROM outbox"
        ).fetchone()
    finally:
        conn.close()
    outbox = f"{queued} queued, {sent} sent, {failed or 0} with a send error (kept)"
    return found, integrity, total, outbox


def main(argv: list[str] | None = None) -> int:
    """Run the harness; return the exit status."""
    args = arguments(argv)
    tmp = Path(tempfile.mkdtemp(prefix="folio-faults-"))
    keep = args.keep
    try:
        status = harness(args, tmp)
        keep = keep or status != 0
        return status
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--target", choices=["auto", "comments", "contact"], default="auto"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--posters", type=int, default=16)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--lock-seconds", type=float, default=8.0)
    parser.add_argument(
        "--app", default="app:create_app()", help="gunicorn app (for trying stubs)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    return parser.parse_args(argv)


def harness(args: argparse.Namespace, tmp: Path) -> int:
    """Start Folio, load it while injecting faults, then check what was saved."""
    db_path = tmp / "folio.db"
    port, smtp_port = free_port(), free_port()
    env = environment(tmp, db_path, port, smtp_port)
    print(f"faults: Folio in {tmp}, http://{HOST}:{port}/, SMTP down on :{smtp_port}")
    prepare(env)
    log = (tmp / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            args.app,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(port, proc)
        target = find_target(port, args.target)
        print(
            f"faults: target {target.name} ({target.page}), {args.posters} posters, "
            f"{args.readers} readers, {args.seconds:g} s"
        )
        started = time.monotonic()
        run = Run(port, target, started + args.seconds)
        reads = read_paths(port, target)
        stop = threading.Event()
        lock_start = min(args.seconds * 0.25, max(args.seconds - args.lock_seconds, 0))
        threads = [
            threading.Thread(target=poster, args=(run,)) for _ in range(args.posters)
        ]
        threads += [
            threading.Thread(target=reader, args=(run, reads))
            for _ in range(args.readers)
        ]
        faults = [
            threading.Thread(
                target=killer, args=(run, proc.pid, args.kill_every, stop)
            ),
            threading.Thread(
                target=lock_holder, args=(run, db_path, lock_start, args.lock_seconds)
            ),
        ]
        for thread in threads + faults:
            thread.daemon = True
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        for thread in faults:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()

    found, integrity, total, outbox = count_rows(db_path, target.name, run.run_id)
    missing = sorted(run.acked - found, key=lambda m: int(m.rsplit("-", 1)[1]))
    unacked = found - run.acked
    statuses = Counter(r.status for r in run.results)
    bad_503 = sum(1 for r in run.results if r.status == 503 and not r.retry_after)
    posts = [r.seconds for r in run.results if r.kind == "post" and r.status]
    reads_ = [r.seconds for r in run.results if r.kind == "read" and r.status]
    five = {s: n for s, n in sorted(statuses.items()) if s >= 500}
    four = {s: n for s, n in sorted(statuses.items()) if 400 <= s < 500}

    print()
    print(f"Fault harness: {target.name}, {elapsed:.1f} s, {args.workers} workers")
    print(f"  requests                     {len(run.results)}")
    print(f"  posts sent                   {len(run.sent)}")
    print(f"  posts acknowledged           {len(run.acked)}")
    print(f"  rows found                   {len(found)} (table total {total})")
    print(f"  acknowledged but missing     {len(missing)}")
    print(f"  rows without acknowledgement {len(unacked)}")
    print(f"  post statuses                {dict(sorted(run.post_statuses.items()))}")
    print(f"  5xx by status                {five or 'none'}")
    print(f"  503 without Retry-After      {bad_503}")
    print(f"  4xx by status                {four or 'none'}")
    print(f"  no answer (worker killed)    {dict(run.errors) or 'none'}")
    print(
        f"  latency reads  p50/p99       {percentile(reads_, 50):.0f} / "
        f"{percentile(reads_, 99):.0f} ms ({len(reads_)})"
    )
    print(
        f"  latency posts  p50/p99       {percentile(posts, 50):.0f} / "
        f"{percentile(posts, 99):.0f} ms ({len(posts)})"
    )
    print(f"  integrity_check              {integrity}")
    print(f"  outbox (SMTP down)           {outbox}")
    print(f"  faults                       {len(run.events)} events")

    failures = []
    if missing:
        failures.append(f"{len(missing)} acknowledged posts missing: {missing[:5]}")
    if statuses.get(500):
        failures.append(f"{statuses[500]} responses were 500")
    if bad_503:
        failures.append(f"{bad_503} 503 responses lacked Retry-After")
    if integrity != "ok":
        failures.append(f"integrity_check: {integrity}")
    if not run.acked:
        failures.append("no post was acknowledged: nothing was tested")
    if failures:
        print("FAIL: " + "; ".join(failures))
        print(f"  gunicorn log: {tmp / 'gunicorn.log'}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
