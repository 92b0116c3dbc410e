"""The WordPress importer, measured: `python -m bench.import_bench`.

For each size: a synthetic WXR file (bench/wxr_synth.py) in a temporary
folder, a freshly migrated database (SQLite, or a new schema on PostgreSQL),
and `import_wordpress()` in a child process, so that its peak resident memory
is its own. Prints the file's size, what was imported, the time, the rates,
the peak RSS and its growth over the app's baseline (taken once the app and
the importer are loaded, before the import); writes the figures to
bench/results/. It asserts no times (bench/test_bench.py runs it tiny).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: python bench/import_bench.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset  # noqa: E402
from bench.run import machine  # noqa: E402
from bench.wxr_synth import Plan  # noqa: E402
from bench.wxr_synth import write_wxr  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SECRET = "bench-" + "w9x8p7" * 8
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Issue 18's targets, for SQLite.
MIN_COMMENTS_PER_S = 5000
MAX_RSS_GROWTH_MB = 100
# The child reports how far it is at most this often (seconds).
PROGRESS_EVERY = 15.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--comments",
        default="10000,1000000",
        help="comma-separated comment totals, one run each (default 10000,1000000)",
    )
    parser.add_argument("--posts", type=int, default=1000, help="posts per file")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql"], default="sqlite"
    )
    parser.add_argument(
        "--pg-url", default=PG_URL, help="server for --database postgresql"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (files, databases)",
    )
    parser.add_argument(
        "--no-json", action="store_true", help="do not write bench/results/*.json"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def memory_kb() -> dict[str, int]:
    """This process's VmRSS, VmHWM, RssAnon and RssFile (/proc status), in kB."""
    found = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                found[name] = int(value.split()[0])
    except OSError:
        found["VmHWM"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return found


class Watch:
    """The import's progress callback: the largest anonymous and file-backed
    memory seen after any item, and a line on stderr now and then."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last_line = self.started
        self.peak_anon_kb = 0
        self.peak_file_kb = 0

    def __call__(self, done: int, total: int) -> None:
        """After each item."""
        now = memory_kb()
        self.peak_anon_kb = max(self.peak_anon_kb, now.get("RssAnon", 0))
        self.peak_file_kb = max(self.peak_file_kb, now.get("RssFile", 0))
        clock = time.perf_counter()
        if clock - self.last_line >= PROGRESS_EVERY or done == total:
            self.last_line = clock
            print(
                f"  {done:,}/{total:,} items after {clock - self.started:,.0f} s",
                file=sys.stderr,
                flush=True,
            )


def child_import(path: Path, url: str, instance: Path) -> dict:
    """In this process: the app, its baseline memory, then the import; figures."""
    from sqlalchemy import func
    from sqlalchemy import select

    from app import create_app
    from models import Article
    from models import Comment
    from models import db
    from porting.wp_authors import AuthorOptions
    from porting.wxr_import import ImportOptions
    from porting.wxr_import import import_wordpress

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET,
            "INSTANCE_PATH": str(instance),
            "ENV": "development",
            "RATELIMIT_ENABLED": False,
            "OUTBOX_WORKER": False,
            "MEDIA_WORKERS": 0,
            "SITE_URL": "http://127.0.0.1",
        }
    )
    options = ImportOptions(authors=AuthorOptions(create_authors=True))
    with app.app_context():
        db.session.execute(select(1))
        db.session.rollback()
        baseline = memory_kb()
        cpu_before = _cpu_seconds()
        watch = Watch()
        report = import_wordpress(path, options, watch)
        seconds = time.perf_counter() - watch.started
        cpu = _cpu_seconds() - cpu_before
        stored = dict(
            db.session.execute(
                select(Comment.status, func.count()).group_by(Comment.status)
            ).all()
        )
        articles = db.session.scalar(select(func.count(Article.id)))
        db.session.remove()
    peak = memory_kb()["VmHWM"]
    counts = report.as_dict()["counts"]
    return {
        "seconds": seconds,
        # On a shared machine the wall time depends on the neighbours; the
        # process's own CPU time much less.
        "cpu_seconds": cpu,
        "baseline_rss_mb": baseline.get("VmRSS", 0) / 1024,
        "peak_rss_mb": peak / 1024,
        # What the growth is made of: the heap, and file pages (SQLite's
        # memory-mapped database, FOLIO_SQLITE_MMAP_MB) the process touched.
        "anon_growth_mb": (watch.peak_anon_kb - baseline.get("RssAnon", 0)) / 1024,
        "file_growth_mb": (watch.peak_file_kb - baseline.get("RssFile", 0)) / 1024,
        "imported": {kind: c["imported"] for kind, c in counts.items()},
        "warnings": len(report.warnings),
        "stored_comments": {str(k.value): v for k, v in stored.items()},
        "stored_articles": articles,
    }


def _cpu_seconds() -> float:
    """This process's user and system CPU time so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def fresh_database(kind: str, folder: Path, pg_url: str):
    """The URL of a newly migrated database: a SQLite file, or a PostgreSQL schema
    made here and dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'import.db'}"
        dataset.migrate(url)
        yield url
        return
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"folio_import_bench_{os.getpid()}_{secrets.token_hex(3)}"
    conninfo = make_url(pg_url).set(drivername="postgresql")
    conninfo = conninfo.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    try:
        dataset.migrate(url_text)
        yield url_text
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def measure(comments: int, posts: int, kind: str, folder: Path, pg_url: str) -> dict:
    """One size: generate, migrate, import in a child process; the figures."""
    say(f"{comments:,} comments: writing the WXR file")
    started = time.perf_counter()
    written = write_wxr(folder / "export.xml", Plan(posts=posts, comments=comments))
    generated = time.perf_counter() - started
    with fresh_database(kind, folder, pg_url) as url:
        say(f"{comments:,} comments: importing into {kind}")
        child = subprocess.run(
            [sys.executable, "-m", "bench.import_bench", "--child"]
            + [str(written.path), url, str(folder / "instance")],
            cwd=dataset.ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    return {
        "database": kind,
        "file_bytes": written.bytes,
        "items": written.items,
        "comments": written.comments,
        "largest_post": written.largest_post,
        "generate_seconds": generated,
        **figures,
        "comments_per_s": written.comments / figures["seconds"],
        "items_per_s": written.items / figures["seconds"],
        "rss_growth_mb": figures["peak_rss_mb"] - figures["baseline_rss_mb"],
    }


def report_lines(rows: list[dict]) -> list[str]:
    """One line per size: sizes, time, rates and memory. Per CPU s: comments
    per second of the importer's own CPU time; growth: peak RSS over the
    baseline; heap and file: its anonymous and file-backed parts."""
    lines = [
        f"{'database':<10} {'file MB':>8} {'items':>6} {'comments':>10} {'largest':>8}"
        f" {'seconds':>8} {'CPU s':>7} {'comments/s':>11} {'per CPU s':>10}"
        f" {'items/s':>8} {'peak RSS MB':>12}"
        f" {'growth MB':>10} {'heap MB':>8} {'file MB':>8}",
    ]
    for row in rows:
        cpu = row.get("cpu_seconds", 0)
        lines.append(
            f"{row['database']:<10} {row['file_bytes'] / 1e6:>8,.1f} {row['items']:>6,}"
            f" {row['comments']:>10,} {row['largest_post']:>8,} {row['seconds']:>8,.1f}"
            f" {cpu:>7,.1f} {row['comments_per_s']:>11,.0f}"
            f" {row['comments'] / cpu if cpu else 0:>10,.0f} {row['items_per_s']:>8,.1f}"
            f" {row['peak_rss_mb']:>12,.1f} {row['rss_growth_mb']:>10,.1f}"
            f" {row['anon_growth_mb']:>8,.1f} {row['file_growth_mb']:>8,.1f}"
        )
    return lines


def target_lines(rows: list[dict]) -> list[str]:
    """The issue's targets, [  met  ] or [NOT MET], for the SQLite rows."""
    lines = []
    for row in rows:
        if row["database"] != "sqlite":
            continue
        size = f"{row['comments']:,} comments"
        rate, growth = row["comments_per_s"], row["rss_growth_mb"]
        lines.append(
            _mark(rate >= MIN_COMMENTS_PER_S)
            + f" SQLite >= {MIN_COMMENTS_PER_S:,} comments/s at {size}: {rate:,.0f}/s"
        )
        lines.append(
            _mark(growth <= MAX_RSS_GROWTH_MB)
            + f" peak RSS growth <= {MAX_RSS_GROWTH_MB} MB at {size}: {growth:,.1f} MB"
        )
    return lines


def _mark(met: bool) -> str:
    """The bench/run.py-style marker."""
    return "  [  met  ]" if met else "  [NOT MET]"


def render(result: dict) -> str:
    """The whole printout."""
    meta = result["meta"]
    lines = [
        f"Folio import benchmark, {meta['started']}: {meta['command']}",
        f"machine: {meta['machine']['cpus']} CPUs, {meta['machine']['cpu_model']},"
        f" Python {meta['machine']['python']}",
        "",
        *report_lines(result["rows"]),
    ]
    targets = target_lines(result["rows"])
    lines += ["", "Targets (issue 18):", *targets] if targets else []
    if any(row["database"] != "sqlite" for row in result["rows"]):
        lines += ["", "PostgreSQL: figures only, no targets."]
    return "\n".join(lines)


def say(text: str) -> None:
    """A progress line on stderr."""
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Measure each size, print the table, write the JSON."""
    args = parse_args(argv)
    if args.child:
        path, url, instance = args.child
        print(json.dumps(child_import(Path(path), url, Path(instance))))
        return 0
    started = datetime.now(UTC)
    sizes = [int(n) for n in args.comments.split(",") if n.strip()]
    rows = []
    for comments in sizes:
        folder = Path(tempfile.mkdtemp(prefix="folio-import-bench-"))
        try:
            rows.append(
                measure(comments, args.posts, args.database, folder, args.pg_url)
            )
        finally:
            if args.keep:
                say(f"kept {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "command": "python -m bench.import_bench "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    result = {"meta": meta, "rows": rows}
    print(render(result))
    if not args.no_json:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"import-{started:%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(result, indent=2, default=str))
        say(f"wrote {out.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
