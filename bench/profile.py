"""Where a page's time goes: `python -m bench.profile /articles/bench-article`.

Builds the benchmark data set (or uses --database), then profiles N requests of
a path in-process with pyinstrument (the Flask test client, one anonymous
reader per request, as the load rows send them) and prints the call tree.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: python bench/profile.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset  # noqa: E402
from bench import statements  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Profile requests of one path and print pyinstrument's text report."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__
    )
    parser.add_argument("path", nargs="+", help="e.g. /articles/bench-article")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--database", help="an existing benchmark SQLite file")
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true")
    parser.add_argument("--interval", type=float, default=0.0005)
    parser.add_argument(
        "--post",
        action="store_true",
        help="profile comment POSTs to each path's form instead of GETs",
    )
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit(
            "bench: pip install pyinstrument (in requirements-dev.txt)"
        ) from None
    tmp = Path(tempfile.mkdtemp(prefix="folio-profile-"))
    try:
        db_path = Path(args.database) if args.database else tmp / "big.db"
        if not args.database:
            dataset.build(db_path, args.articles)
        app = statements.bench_app(f"sqlite:///{db_path}", tmp / "instance")
        headers = {"HX-Request": "true"} if args.htmx else {}
        if args.post:
            app.config.update(SPAM_MIN_SECONDS=0, RATELIMIT_ENABLED=False)
            for path in args.path:
                _profile_posts(app, path, args, headers, Profiler)
            return 0
        for path in args.path:
            for _ in range(20):  # warm caches and templates
                app.test_client().get(path, headers=headers)
            profiler = Profiler(interval=args.interval)
            began = time.perf_counter()
            profiler.start()
            for _ in range(args.requests):
                app.test_client().get(path, headers=headers)
            profiler.stop()
            per = (time.perf_counter() - began) * 1000 / args.requests
            print(f"=== {path}: {per:.2f} ms per request in-process (profiled)")
            print(profiler.output_text(unicode=False, color=False, show_all=False))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _profile_posts(app, path: str, args, headers: dict, profiler_class) -> None:
    """Fetch a form per post (untimed), then profile the POSTs alone."""
    from bench.posting import _comment_fields
    from bench.posting import parse_comment_form

    prepared = []
    for n in range(args.requests + 20):
        client = app.test_client()
        html = client.get(path).get_data(as_text=True)
        form = parse_comment_form(html)
        prepared.append((client, form.action, _comment_fields(form, "profile", n)))
    for client, action, data in prepared[:20]:
        client.post(action, data=data, headers=headers)
    profiler = profiler_class(interval=args.interval)
    began = time.perf_counter()
    profiler.start()
    statuses: dict[int, int] = {}
    for client, action, data in prepared[20:]:
        status = client.post(action, data=data, headers=headers).status_code
        statuses[status] = statuses.get(status, 0) + 1
    profiler.stop()
    per = (time.perf_counter() - began) * 1000 / args.requests
    print(f"=== POST to {path}'s form: {per:.2f} ms per post in-process, {statuses}")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    sys.exit(main())
