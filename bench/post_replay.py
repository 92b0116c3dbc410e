"""Row 3's timed phase with wrk: every prepared comment POST sent exactly once.

The forms are fetched by bench/posting.py (as a reader's browser gets them);
here they are written to a file, one request per line, and wrk replays them
through bench/post_replay.lua with one connection per client, each posting its
share one after another. wrk costs the shared cores far less CPU per post than
Python's client, and it closes each connection at once, where gunicorn's sync
worker waits for the client before it takes the next request.

wrk runs for a fixed time and cannot stop itself early, so each of its threads
writes a line to a done file after its last answer (its first-request and
last-answer times on CLOCK_MONOTONIC, its status counts and each post's
latency, from sending the request to its answer), and this module stops wrk
with SIGINT once every thread has. A thread that is done before the others
sends GET /healthz meanwhile (see post_replay.lua); those few requests are in
the server's CPU for the run but in no other figure.
"""

from __future__ import annotations

import resource
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import percentile

SCRIPT = Path(__file__).with_name("post_replay.lua")
# The longest a replay may take before it is abandoned as failed.
TIMEOUT_SECONDS = 300.0


class ReplayFailed(RuntimeError):
    """wrk did not send every post and report back."""


def replay(base_url: str, prepared, htmx: bool, cpu_seconds=None):
    """Send every prepared post once; returns what posting.run_posts() records.

    prepared: per client, (browser, urlencoded body, action) per post, as
    posting.prefetch() makes them. Returns (seconds, statuses, (p50 ms, p99 ms),
    wrk's CPU seconds, the server's CPU seconds or None).
    """
    clients = [posts for posts in prepared if posts]
    with tempfile.TemporaryDirectory(prefix="folio-replay-") as tmp:
        requests = Path(tmp) / "requests"
        done = Path(tmp) / "done"
        # One file per wrk thread (requests-<n>.tsv), each one client's posts.
        for n, posts in enumerate(clients):
            lines = [
                f"{action}\t{browser.cookie_header()}\t{body}"
                for browser, body, action in posts
            ]
            Path(f"{requests}-{n}.tsv").write_text("\n".join(lines) + "\n")
        threads = len(clients)
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{threads}",
            f"-d{int(TIMEOUT_SECONDS)}s",
            "--timeout",
            "30s",
            "-s",
            str(SCRIPT),
            base_url,
            "--",
            str(requests),
            str(done),
            "1" if htmx else "0",
        ]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_before = cpu_seconds() if cpu_seconds else None
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            reports = _wait_for(done, threads, process)
            cpu_delta = cpu_seconds() - cpu_before if cpu_seconds else None
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    started = min(report.started for report in reports)
    finished = max(report.finished for report in reports)
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    for report in reports:
        latencies.extend(report.latencies)
        for code, count in report.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
    p50 = statistics.median(latencies) if latencies else 0.0
    return (
        finished - started,
        statuses,
        (p50, percentile(latencies, 0.99)),
        client_cpu,
        cpu_delta,
    )


def _wait_for(
    done: Path, threads: int, process: subprocess.Popen
) -> list[ThreadReport]:
    """Poll the done file until every wrk thread has reported."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        lines = done.read_text().splitlines() if done.exists() else []
        if len(lines) >= threads:
            return [_report(line) for line in lines]
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise ReplayFailed(f"wrk exited early: {output.strip()[-500:]}")
        time.sleep(0.005)
    raise ReplayFailed(f"wrk did not finish within {TIMEOUT_SECONDS:.0f} s")


@dataclass
class ThreadReport:
    """One wrk thread's line in the done file."""

    started: float
    finished: float
    statuses: dict[str, int]
    latencies: list[float]


def _report(line: str) -> ThreadReport:
    started, finished, counts, latencies = line.split(" ")
    pairs = (item.split("=") for item in counts.split(",") if item)
    return ThreadReport(
        started=float(started),
        finished=float(finished),
        statuses={code: int(n) for code, n in pairs},
        latencies=[float(ms) for ms in latencies.split(",") if ms],
    )
