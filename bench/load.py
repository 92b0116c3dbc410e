"""Load generators for GET rows: wrk if installed, else oha, else a bounded Python client."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import asdict
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    """What one load run measured."""

    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    bad_status: int = 0
    socket_errors: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def pick_tool(preferred: str = "auto") -> str:
    """wrk, then oha, then the Python client (or the one asked for)."""
    if preferred != "auto":
        if preferred != "python" and not shutil.which(preferred):
            raise SystemExit(f"bench: {preferred} is not installed")
        return preferred
    for tool in ("wrk", "oha"):
        if shutil.which(tool):
            return tool
    return "python"


def run_load(
    tool: str,
    url: str,
    seconds: float,
    connections: int = 32,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """Load url for seconds with the given tool and return what it measured."""
    headers = headers or {}
    if tool == "wrk":
        return _wrk(url, seconds, connections, threads, headers)
    if tool == "oha":
        return _oha(url, seconds, connections, headers)
    return python_load(url, seconds, min(connections, 8), headers)


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNIT_MS[match.group(2)]


def parse_wrk(output: str) -> LoadResult:
    """Read requests, req/s, the 50% and 99% latencies and errors from wrk --latency."""
    percentiles = {
        int(m.group(1)): _duration_ms(m.group(2))
        for m in re.finditer(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.MULTILINE)
    }
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not (done and rps and 50 in percentiles and 99 in percentiles):
        raise ValueError(f"could not read wrk's output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return LoadResult(
        tool="wrk",
        requests=int(done.group(1)),
        seconds=_duration_ms(done.group(2) + done.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        bad_status=int(bad.group(1)) if bad else 0,
        # A sync worker closes every connection; wrk counts none of that as an
        # error unless the server really failed to answer.
        socket_errors=sum(int(n) for n in sock.groups()) if sock else 0,
    )


def _wrk(url, seconds, connections, threads, headers) -> LoadResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        command + [url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    return parse_wrk(done.stdout)


def _oha(url, seconds, connections, headers) -> LoadResult:
    command = ["oha", "-z", f"{max(1, round(seconds))}s", "-c", str(connections)]
    command.append("--no-tui")
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, "--output-format", "json", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if done.returncode != 0:  # oha before 1.5 spells it -j
        done = subprocess.run(
            [*command, "-j", url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    return parse_oha(json.loads(done.stdout))


def parse_oha(data: dict) -> LoadResult:
    """Read oha's JSON summary (times in seconds)."""
    summary = data["summary"]
    codes = data.get("statusCodeDistribution", {})
    total = sum(int(n) for n in codes.values())
    bad = sum(int(n) for code, n in codes.items() if not 200 <= int(code) < 400)
    errors = sum(int(n) for n in data.get("errorDistribution", {}).values())
    pct = data["latencyPercentiles"]
    return LoadResult(
        tool="oha",
        requests=total,
        seconds=float(summary["total"]),
        rps=float(summary["requestsPerSec"]),
        p50_ms=float(pct["p50"]) * 1000,
        p99_ms=float(pct["p99"]) * 1000,
        bad_status=bad,
        socket_errors=errors,
    )


def percentile(values: list[float], fraction: float) -> float:
    """The value below which fraction of values lie (nearest rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def python_load(
    url: str, seconds: float, clients: int = 8, headers: dict[str, str] | None = None
) -> LoadResult:
    """A bounded client: `clients` threads, each one request at a time, for seconds."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(clients)]
    bad = [0] * clients
    errors = [0] * clients
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", target, headers=headers or {})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                conn.close()
                continue
            latencies[n].append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status < 400:
                bad[n] += 1
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    flat = [v for per in latencies for v in per]
    return LoadResult(
        tool="python",
        requests=len(flat),
        seconds=elapsed,
        rps=len(flat) / elapsed if elapsed else 0.0,
        p50_ms=statistics.median(flat) if flat else 0.0,
        p99_ms=percentile(flat, 0.99),
        bad_status=sum(bad),
        socket_errors=sum(errors),
    )
