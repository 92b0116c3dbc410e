"""Run Folio's benchmark and print one table: `make bench` or `python -m bench.run`.

Builds its own data set in a temporary directory, serves it with gunicorn on
127.0.0.1, loads each page with wrk (or oha, or a Python client), stops what it
started and writes the figures to bench/results/ as JSON. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC
from datetime import datetime
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset  # noqa: E402
from bench import load  # noqa: E402
from bench import posting  # noqa: E402
from bench import routes  # noqa: E402
from bench import statements  # noqa: E402
from bench.report import render_table  # noqa: E402
from bench.report import targets  # noqa: E402
from bench.server import Server  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SKIPPED = "skipped (--only)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="runs; the median is reported (3 for a recorded run)",
    )
    parser.add_argument(
        "--duration", type=float, default=10, help="seconds per load run (default 10)"
    )
    parser.add_argument(
        "--connections", type=int, default=32, help="wrk/oha connections (default 32)"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="wrk threads (default 2)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (default 2)"
    )
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (default sync)"
    )
    parser.add_argument(
        "--worker-threads", type=int, default=1, help="gunicorn --threads (gthread)"
    )
    parser.add_argument(
        "--tool", default="auto", choices=["auto", "wrk", "oha", "python"]
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=10_000,
        help="generated articles (default 10,000)",
    )
    parser.add_argument(
        "--small-articles",
        type=int,
        default=100,
        help="articles in the comparison data set",
    )
    parser.add_argument(
        "--posts", type=int, default=1000, help="comment POSTs per mode and run"
    )
    parser.add_argument(
        "--post-articles",
        type=int,
        default=10,
        help="articles the posts of one mode and run are spread over (default 10)",
    )
    parser.add_argument(
        "--post-clients", type=int, default=8, help="concurrent posting clients"
    )
    parser.add_argument("--deep-page", type=int, default=400, help="the deep list page")
    parser.add_argument(
        "--only",
        action="append",
        choices=["article", "lists", "fragments", "posts"],
        help="measure only these rows (repeatable; the ceiling always runs)",
    )
    parser.add_argument(
        "--plugins",
        type=plugin_names,
        default=[],
        metavar="NAMES",
        help="plugins to enable, comma-separated (FOLIO_PLUGINS; the data sets are "
        "migrated to every head); default: none",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory"
    )
    parser.add_argument(
        "--no-json", action="store_true", help="do not write bench/results/*.json"
    )
    return parser.parse_args(argv)


def plugin_names(text: str) -> list[str]:
    """The --plugins value as a list of names (empty items dropped)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def machine() -> dict:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def tool_version(tool: str) -> str:
    """The load tool's version line."""
    if tool == "python":
        return "python client"
    try:
        done = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, timeout=5
        )
    except OSError:
        return tool
    text = (done.stdout or done.stderr).strip().splitlines()
    if not text:
        return tool
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright ..." -> "wrk debian/4.1.0-3+b2"
    return " ".join(text[0].split()[:2])


def probe(url: str, headers: dict[str, str]) -> tuple[int, int]:
    """Status and body size of one GET (no redirects followed)."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


def measure_page(server: Server, page: routes.Page, args, app, tool: str) -> dict:
    """Load one page; returns its figures, or why it was not measured."""
    if not routes.route_exists(app, page.path):
        return {"label": page.label, "missing": "route missing"}
    url = server.base_url + page.path
    status, size = probe(url, page.headers)
    if status != 200:
        return {"label": page.label, "missing": f"HTTP {status}"}
    # Warm up: templates compiled, caches filled, connections pooled.
    load.run_load(tool, url, 1, args.connections, args.threads, page.headers)
    before = server.cpu_seconds()
    result = load.run_load(
        tool, url, args.duration, args.connections, args.threads, page.headers
    )
    cpu = server.cpu_seconds() - before
    row = {"label": page.label, "bytes": size, **result.as_dict()}
    row["cpu_ms"] = cpu * 1000 / result.requests if result.requests else None
    return row


def measure_posts(
    server: Server,
    args,
    app,
    htmx: bool,
    marker: str,
    db_path: Path,
    batch: int,
    tool: str,
) -> dict:
    """Row 3 (and the htmx half of row 4) on the server's own data set.

    The POSTs are sent by wrk when it is the load tool, else by Python threads.
    """
    label = f"comment POST, {'htmx fragment' if htmx else 'plain form, 303'}"
    if not routes.endpoint_exists(app, "comments.create"):
        return {"label": label, "missing": "route missing"}
    try:
        result = posting.run_posts(
            server.base_url,
            post_paths(args, batch),
            args.posts,
            args.post_clients,
            htmx,
            marker,
            cpu_seconds=server.cpu_seconds,
            tool="wrk" if tool == "wrk" else "python",
        )
    except posting.FormNotFound as exc:
        return {"label": label, "missing": f"no usable form ({exc})"}
    result.stored_by_status = posting.stored_rows(str(db_path), marker)
    result.stored = sum(result.stored_by_status.values())
    return {"label": label, **result.as_dict()}


ROW_GROUPS = ("article", "lists", "fragments", "posts")


def post_paths(args, batch: int) -> list[str]:
    """The article paths of one batch of fresh post targets (dataset.post_slug)."""
    first = batch * args.post_articles
    return [
        f"/articles/{dataset.post_slug(first + n)}" for n in range(args.post_articles)
    ]


def warm_up_writes(server: Server, args, tool: str) -> None:
    """Untimed posts before the first timed ones, to articles of their own.

    A freshly built database has no write-ahead log yet: the first thousand
    or so commits append to a new -wal file (each fsync then also records its
    growing size), where a site that has been running reuses its log. These
    posts bring the log to that steady state, so every run starts from it;
    they are in no figure.
    """
    _say("warming up the write path (untimed)")
    posts = max(args.posts // 2, args.post_clients)
    result = posting.run_posts(
        server.base_url,
        post_paths(args, args.runs * 2),  # the batch after the timed ones
        posts,
        args.post_clients,
        False,
        f"warm{int(time.time())}",
        tool="wrk" if tool == "wrk" else "python",
    )
    if result.errors:
        raise SystemExit(f"bench: the write warm-up failed: {result.statuses}")


def one_run(
    number: int, args, data, app, tool: str, tmp: Path, server_env: dict
) -> dict:
    """Every row once: the big data set, then the 100-article one."""
    big, small, small_deep = data
    only = set(args.only or ROW_GROUPS)
    run: dict = {"gets": {}, "small": {}, "posts": {}}
    options = dict(
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.worker_threads,
        env=server_env,
    )
    groups = [
        ("ceiling", [routes.HEALTHZ]),
        ("article", [routes.ARTICLE]),
        ("lists", routes.list_pages(args.deep_page)),
        ("fragments", [routes.FULL_PAGE_2, routes.FRAGMENT_PAGE_2]),
    ]
    with Server(big.url, **options).start(tmp) as server:
        run["worker_pids"] = server.worker_pids()
        for group, pages in groups:
            for page in pages:
                if group != "ceiling" and group not in only:
                    run["gets"][page.key] = {"label": page.label, "missing": SKIPPED}
                    continue
                _say(f"run {number}: {page.label}")
                run["gets"][page.key] = measure_page(server, page, args, app, tool)
        if number == 1 and "posts" in only:
            warm_up_writes(server, args, tool)
        for mode, htmx in enumerate((False, True)):
            key = "htmx" if htmx else "plain"
            if "posts" not in only:
                run["posts"][key] = {
                    "label": f"comment POST ({key})",
                    "missing": SKIPPED,
                }
                continue
            batch = (number - 1) * 2 + mode  # fresh target articles each time
            _say(f"run {number}: comment POST ({key})")
            marker = f"r{number}{key}{int(time.time())}"
            run["posts"][key] = measure_posts(
                server, args, app, htmx, marker, big.path, batch, tool
            )
        run["rss_mb"] = server.worker_rss_mb()
        run["pss_mb"] = server.worker_pss_mb()
    if "lists" not in only:
        for page in routes.list_pages(small_deep):
            run["small"][page.key] = {"label": page.label, "missing": SKIPPED}
        return run
    with Server(small.url, **options).start(tmp) as server:
        for page in routes.list_pages(small_deep):
            _say(f"run {number}: {page.label} ({small.articles} articles)")
            run["small"][page.key] = measure_page(server, page, args, app, tool)
    return run


def median_of(runs: list[dict]) -> dict:
    """The median of every figure over the runs (structure of the first run)."""

    def merge(values: list):
        first = values[0]
        if isinstance(first, dict):
            keys = first.keys()
            return {
                k: merge([v.get(k) for v in values if isinstance(v, dict)])
                for k in keys
            }
        if isinstance(first, bool) or not isinstance(first, int | float):
            return first
        numbers = [v for v in values if isinstance(v, int | float)]
        return statistics.median(numbers) if numbers else None

    merged = merge(runs)
    # Memory is reported per worker: the largest seen in any run is what counts.
    merged["pss_mb"] = [
        max(r) for r in zip(*(run.get("pss_mb", []) for run in runs), strict=False)
    ]
    merged["rss_mb"] = [
        max(r) for r in zip(*(run["rss_mb"] for run in runs), strict=False)
    ]
    return merged


def _say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def cpu_stat() -> list[int] | None:
    """The machine's CPU time counters (the first line of /proc/stat), if any."""
    try:
        with open("/proc/stat") as stat:
            return [int(n) for n in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def steal_percent(before: list[int] | None, after: list[int] | None) -> float | None:
    """Share of the CPU time between two readings stolen by the hypervisor."""
    if not before or not after or len(before) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent[:8])  # user .. steal; guest time is counted in user
    return round(100 * spent[7] / total, 1) if total else None


def main(argv: list[str] | None = None) -> int:
    """Build the data, measure every row, print the table, write the JSON."""
    args = parse_args(argv)
    # Ctrl+C and SIGTERM both end in the cleanup below (SIGINT explicitly: a
    # shell that starts the benchmark in the background ignores it otherwise).
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    tool = load.pick_tool(args.tool)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="folio-bench-"))
    try:
        _say(f"building data sets in {tmp}")
        big = dataset.build(
            tmp / "big.db",
            args.articles,
            # Two batches of fresh articles per run, and one for the warm-up.
            post_targets=(args.runs * 2 + 1) * args.post_articles,
            plugins=args.plugins,
        )
        small = dataset.build(
            tmp / "small.db",
            args.small_articles,
            big_thread=0,
            post_targets=0,
            plugins=args.plugins,
        )
        app = statements.bench_app(big.url, tmp / "instance-app", PLUGINS=args.plugins)
        per_page = int(app.config["ARTICLES_PER_PAGE"])
        small_deep = max(1, math.ceil((args.small_articles + 3) / per_page))
        _say("counting statements per request (row 6)")
        counts = statements.count_all(
            big.url,
            tmp / "instance-count",
            args.deep_page,
            args.post_articles > 0,
            plugins=args.plugins,
        )
        from config import SETTINGS

        rate_env, rate_notes = posting.rate_limit_overrides(SETTINGS)
        server_env = {
            "FOLIO_SPAM_MIN_SECONDS": "0",
            # Always set, so a FOLIO_PLUGINS in the caller's environment does
            # not enable a plugin whose tables the data sets lack.
            "FOLIO_PLUGINS": ",".join(args.plugins),
            **rate_env,
        }
        runs = []
        stat_before = cpu_stat()
        for number in range(1, args.runs + 1):
            runs.append(
                one_run(
                    number, args, (big, small, small_deep), app, tool, tmp, server_env
                )
            )
        steal = steal_percent(stat_before, cpu_stat())
        median = median_of(runs)
        meta = {
            "started": started.isoformat(timespec="seconds"),
            "command": "python -m bench.run "
            + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": machine(),
            # Other work on the machine skews absolute figures (ratios less).
            "load_average": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            },
            # On a virtual machine, time the hypervisor gave to other guests.
            "cpu_steal_percent": steal,
            "tool": tool,
            "tool_version": tool_version(tool),
            "load": f"-t{args.threads} -c{args.connections} -d{args.duration:g}s"
            if tool == "wrk"
            else f"-c{args.connections} {args.duration:g}s",
            "server": f"gunicorn {args.workers} x {args.worker_class}"
            + (f" ({args.worker_threads} threads)" if args.worker_threads > 1 else ""),
            "runs": args.runs,
            "articles": args.articles,
            "small_articles": args.small_articles,
            "small_deep_page": small_deep,
            "deep_page": args.deep_page,
            "posts": args.posts,
            "post_clients": args.post_clients,
            "post_articles": args.post_articles,
            "build_seconds": {
                "big": round(big.seconds, 1),
                "small": round(small.seconds, 1),
            },
            "server_env": server_env,
            "plugins": args.plugins,
            "rate_limit": rate_notes
            or [
                "no comment rate-limit setting in config.py; the limit is left as configured"
            ],
        }
        result = {"meta": meta, "median": median, "runs": runs, "statements": counts}
        result["targets"] = targets(result)
        print(render_table(result))
        if not args.no_json:
            RESULTS.mkdir(exist_ok=True)
            out = RESULTS / f"bench-{started:%Y%m%d-%H%M%S}.json"
            out.write_text(json.dumps(result, indent=2, default=str))
            _say(f"wrote {out.relative_to(RESULTS.parent.parent)}")
        return 0
    except KeyboardInterrupt:
        _say("interrupted; servers stopped")
        return 130
    finally:
        if args.keep:
            _say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
