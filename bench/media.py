"""Images, measured: `python -m bench.media` (bench/README.md, "Images").

1. Upload to ready: a 12-megapixel JPEG with real detail goes through
   inspect_upload() and add_upload() in a fresh process, with
   FOLIO_MEDIA_WORKERS=1 (the sizes made on the process's worker thread, as
   under gunicorn) and 0 (inside the call); the time until the row is ready,
   polled in the database, and the process's peak resident memory.
2. The staff media library, page 1, with 10,000 images and with 100 (rows
   seeded with Core, fake sizes): the median of many in-process requests.
3. The anonymous article page without an image, with a cover and with an
   image in its body, through gunicorn and wrk (or the Python client).

It builds its own data in a temporary folder, stops what it starts, and
prints numbers; it asserts no times (bench/test_media.py runs it tiny).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: python bench/media.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset  # noqa: E402
from bench import load  # noqa: E402
from bench.server import Server  # noqa: E402
from bench.server import rss_mb  # noqa: E402

SECRET = "bench-" + "m3d1a9" * 8
LIBRARY_ENDPOINT = "staff.media"
COVER_SLUG = "bench-article-cover"
BODY_IMAGE_SLUG = "bench-article-body-image"


@dataclass(frozen=True)
class Sizes:
    """How big each part runs: the recorded run, or the smoke test's tiny one."""

    image: tuple[int, int] = (4000, 3000)
    upload_runs: int = 3
    library_large: int = 10_000
    library_small: int = 100
    library_requests: int = 200
    article_seconds: float = 5.0
    article_rounds: int = 3
    articles: int = 100


TINY = Sizes(
    image=(400, 300),
    upload_runs=1,
    library_large=30,
    library_small=3,
    library_requests=3,
    article_seconds=0.5,
    article_rounds=1,
    articles=3,
)


def realistic_jpeg(size: tuple[int, int], seed: int = 1) -> bytes:
    """A photo-like JPEG: gradients, shapes, lines, blur and sensor-like noise."""
    from PIL import Image
    from PIL import ImageDraw
    from PIL import ImageFilter

    rng = random.Random(seed)
    width, height = size
    base = Image.merge(
        "RGB",
        [Image.linear_gradient("L").rotate(a).resize(size) for a in (0, 90, 180)],
    )
    draw = ImageDraw.Draw(base)
    for _ in range(400):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(10, 500)
        colour = tuple(rng.randrange(256) for _ in range(3))
        rng.choice((draw.ellipse, draw.rectangle))([x - r, y - r, x + r, y + r], colour)
    for _ in range(300):
        ends = [rng.randrange(width), rng.randrange(height)] * 2
        ends[2:] = [rng.randrange(width), rng.randrange(height)]
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.line(ends, fill=colour, width=rng.randrange(1, 8))
    base = base.filter(ImageFilter.GaussianBlur(2))
    noise = Image.merge("RGB", [Image.effect_noise(size, s) for s in (40, 45, 50)])
    out = io.BytesIO()
    Image.blend(base, noise, 0.18).save(out, "JPEG", quality=90)
    return out.getvalue()


def bench_app(url: str, instance: Path, **config):
    """A Folio app on url, its files in instance."""
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET,
            "INSTANCE_PATH": str(instance),
            "ENV": "development",
            "RATELIMIT_ENABLED": False,
            "OUTBOX_WORKER": False,
            "SITE_URL": "http://127.0.0.1",
            **config,
        }
    )


def upload_child(image: Path, url: str, instance: Path, workers: int) -> dict:
    """In this process: upload image, wait until it is ready; times and memory."""
    from sqlalchemy import select

    from blueprints.media.images import inspect_upload
    from blueprints.media.library import add_upload
    from blueprints.media.processing import limits
    from models import Media
    from models import MediaStatus
    from models import db

    app = bench_app(url, instance, MEDIA_WORKERS=workers)
    data = image.read_bytes()
    with app.app_context():
        db.session.execute(select(1))
        db.session.rollback()
        before = rss_mb(os.getpid())
        started = time.perf_counter()
        inspected = inspect_upload(data, "photo.jpg", "image/jpeg", limits())
        media_id = add_upload(inspected, None, "A benchmark photo").media.id
        answered = time.perf_counter() - started
        del inspected
        status = None
        deadline = started + 300
        while time.perf_counter() < deadline:
            status = db.session.scalar(select(Media.status).where(Media.id == media_id))
            db.session.rollback()
            if status != MediaStatus.PROCESSING:
                break
            time.sleep(0.005)
        ready = time.perf_counter() - started
        stored = db.session.scalar(
            select(Media.stored_bytes).where(Media.id == media_id)
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "workers": workers,
        "status": str(status),
        "answered_s": answered,
        "ready_s": ready,
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "upload_bytes": len(data),
        "stored_bytes": stored,
    }


def measure_upload(tmp: Path, sizes: Sizes) -> dict:
    """Part 1: each worker setting in fresh processes, sizes.upload_runs times."""
    image = tmp / "photo.jpg"
    image.write_bytes(realistic_jpeg(sizes.image))
    results = {}
    for workers in (1, 0):
        runs = []
        for run in range(sizes.upload_runs):
            path = tmp / f"upload-{workers}-{run}.db"
            dataset.migrate(f"sqlite:///{path}")
            child = subprocess.run(
                [sys.executable, "-m", "bench.media", "--upload-child", str(image)]
                + [
                    f"sqlite:///{path}",
                    str(tmp / f"inst-{workers}-{run}"),
                    str(workers),
                ],
                cwd=dataset.ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                check=True,
            )
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
        results[workers] = {
            "runs": runs,
            "ready_s": statistics.median(r["ready_s"] for r in runs),
            "answered_s": statistics.median(r["answered_s"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "rss_before_mb": statistics.median(r["rss_before_mb"] for r in runs),
        }
    return {"image": {"pixels": sizes.image, "bytes": image.stat().st_size}} | results


def seed_media(count: int) -> list[int]:
    """Insert count ready images with fake sizes (no files), newest last."""
    from datetime import timedelta

    from sqlalchemy import insert

    from blueprints.media.variants import Size
    from blueprints.media.variants import sizes_to_json
    from models import Media
    from models import MediaStatus
    from models import db
    from models import utcnow

    variants = sizes_to_json(
        [
            Size(w, w * 2 // 3, {"webp": w * 40, "jpeg": w * 60})
            for w in (480, 960, 1600, 2400)
        ]
    )
    now = utcnow()
    rows = [
        {
            "sha256": f"{n:064x}",
            "filename": f"photo-{n}.jpg",
            "alt": f"Benchmark photo {n}",
            "caption": "",
            "format": "jpeg",
            "width": 2400,
            "height": 1600,
            "bytes": 3_500_000,
            "stored_bytes": 1_200_000,
            "variants": variants,
            "status": MediaStatus.READY,
            "error": "",
            "created_at": now - timedelta(minutes=count - n),
            "updated_at": now,
        }
        for n in range(1, count + 1)
    ]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Media), rows[start : start + 2000])
    db.session.commit()
    return list(range(1, count + 1))


def library_page(tmp: Path, count: int, requests: int) -> dict:
    """Part 2 for one library size: page 1's median time, in-process."""
    from bench.routes import endpoint_exists

    path = tmp / f"library-{count}.db"
    url = f"sqlite:///{path}"
    dataset.migrate(url)
    app = bench_app(url, tmp / f"library-{count}", MEDIA_WORKERS=0)
    with app.app_context():
        from models import db

        seed_media(count)
        db.session.remove()
    if endpoint_exists(app, LIBRARY_ENDPOINT):
        timed, how, status = _library_over_http(app, requests)
    else:
        timed, how, status = _library_query(app, requests), "query", 200
    return {
        "images": count,
        "how": how,
        "status": status,
        "median_ms": statistics.median(timed) * 1000,
        "p90_ms": load.percentile(timed, 0.9) * 1000,
    }


def _library_over_http(app, requests: int) -> tuple[list[float], str, int]:
    from flask import url_for

    from models import db
    from tests.support.staff_support import staff_client

    client, _ = staff_client(app)
    with app.test_request_context():
        path = url_for(LIBRARY_ENDPOINT)
    status = client.get(path).status_code
    timed = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path).close()
        timed.append(time.perf_counter() - started)
    with app.app_context():
        db.session.remove()
    return timed, f"GET {path}", status


def _library_query(app, requests: int) -> list[float]:
    """Without the page: page 1 of the newest images (the index's order), with the count."""
    from sqlalchemy import select

    from blueprints.media.pictures import Picture
    from models import Media
    from models import db

    timed = []
    with app.app_context():
        for _ in range(requests):
            started = time.perf_counter()
            page = db.paginate(
                select(Media).order_by(Media.created_at.desc(), Media.id.desc()),
                page=1,
                per_page=48,
                error_out=False,
            )
            [Picture.of(media) for media in page.items]
            db.session.rollback()
            timed.append(time.perf_counter() - started)
        db.session.remove()
    return timed


def image_articles(url: str, instance: Path) -> None:
    """Add the article with a cover and the one with an image in its body."""
    from sqlalchemy import select

    from blueprints.articles.publishing import set_body
    from models import Article
    from models import db

    app = bench_app(url, instance, MEDIA_WORKERS=0)
    with app.app_context():
        [media_id] = seed_media(1)
        plain = db.session.scalar(
            select(Article).where(Article.slug == dataset.EMPTY_SLUG)
        )
        covered = dataset._article(
            COVER_SLUG, "With a cover", plain.body, plain.author, plain.tags
        )
        covered.cover_id = media_id
        shown = dataset._article(
            BODY_IMAGE_SLUG, "With an image", plain.body, plain.author, plain.tags
        )
        set_body(shown, f"![A benchmark photo](/media/{media_id})\n\n" + plain.body)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def measure_articles(tmp: Path, sizes: Sizes, tool: str) -> dict:
    """Part 3: the three article pages under gunicorn, one after the other."""
    path = tmp / "articles.db"
    built = dataset.build(
        path, articles=sizes.articles, big_thread=0, featured_comments=0
    )
    image_articles(built.url, tmp / "articles-instance")
    pages = {
        "no image": f"/articles/{dataset.EMPTY_SLUG}",
        "cover": f"/articles/{COVER_SLUG}",
        "body image": f"/articles/{BODY_IMAGE_SLUG}",
    }
    results = {}
    runs: dict[str, list[load.LoadResult]] = {label: [] for label in pages}
    with Server(built.url, workers=2, env={"FOLIO_OUTBOX_WORKER": "false"}) as server:
        server.start(tmp)
        for label, page in pages.items():
            status, html = _fetch(server.base_url + page)
            results[label] = {
                "path": page,
                "status": status,
                "pictures": html.count("<picture"),
                "bytes": len(html.encode()),
            }
            load.run_load(tool, server.base_url + page, min(1.0, sizes.article_seconds))
        # Rounds, the pages taking turns in each: a machine that gets busier
        # or quieter during the run weighs on every page alike.
        cpu_ms: dict[str, list[float]] = {label: [] for label in pages}
        for _ in range(sizes.article_rounds):
            for label, page in pages.items():
                before = server.cpu_seconds()
                measured = load.run_load(
                    tool, server.base_url + page, sizes.article_seconds
                )
                used = server.cpu_seconds() - before
                runs[label].append(measured)
                cpu_ms[label].append(1000 * used / max(1, measured.requests))
    for label, measured in runs.items():
        middle = sorted(measured, key=lambda r: r.rps)[len(measured) // 2]
        results[label] |= middle.as_dict() | {
            "rps_runs": [r.rps for r in measured],
            # Server CPU per request: what the page costs, whatever else runs.
            "cpu_ms": statistics.median(cpu_ms[label]),
        }
    return results


def _fetch(url: str) -> tuple[int, str]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read().decode()


def run(sizes: Sizes, tool: str = "auto", only: tuple[str, ...] = ()) -> dict:
    """Every part (or those in only); the figures as a dict."""
    tool = load.pick_tool(tool)
    results: dict = {"tool": tool}
    with tempfile.TemporaryDirectory(prefix="folio-bench-media-") as folder:
        tmp = Path(folder)
        if not only or "upload" in only:
            results["upload"] = measure_upload(tmp, sizes)
        if not only or "library" in only:
            results["library"] = [
                library_page(tmp, n, sizes.library_requests)
                for n in (sizes.library_small, sizes.library_large)
            ]
        if not only or "article" in only:
            results["article"] = measure_articles(tmp, sizes, tool)
    return results


def report(results: dict) -> str:
    """The figures as lines of text."""
    lines = []
    upload = results.get("upload")
    if upload:
        image = upload["image"]
        lines.append(
            f"Upload to ready, {image['pixels'][0]}x{image['pixels'][1]} JPEG "
            f"({image['bytes'] / 1e6:.1f} MB), median of {len(upload[1]['runs'])}:"
        )
        for workers in (1, 0):
            row = upload[workers]
            lines.append(
                f"  MEDIA_WORKERS={workers}: answered {row['answered_s']:.2f} s, "
                f"ready {row['ready_s']:.2f} s; peak RSS {row['peak_rss_mb']:.0f} MB "
                f"({row['rss_before_mb']:.0f} MB before the upload)"
            )
    library = results.get("library")
    if library:
        small, large = library
        lines.append(
            f"Staff media library page 1 ({large['how']}, status {large['status']}):"
        )
        for row in library:
            lines.append(
                f"  {row['images']:>6,} images: median {row['median_ms']:.2f} ms, "
                f"p90 {row['p90_ms']:.2f} ms"
            )
        ratio = large["median_ms"] / small["median_ms"] if small["median_ms"] else 0
        lines.append(f"  {large['images']:,} / {small['images']:,}: {ratio:.2f}x")
    article = results.get("article")
    if article:
        rounds = len(next(iter(article.values()))["rps_runs"])
        lines.append(
            f"Anonymous article page, gunicorn 2 sync workers ({results['tool']}), "
            f"median of {rounds} rounds:"
        )
        base = article["no image"]["rps"]
        for label, row in article.items():
            share = row["rps"] / base if base else 0
            lines.append(
                f"  {label:<10} {row['rps']:8.0f} req/s ({share:.0%}), "
                f"p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms, "
                f"server CPU {row['cpu_ms']:.2f} ms/request; "
                f"HTTP {row['status']}, {row['pictures']} <picture>, "
                f"{row['bytes']:,} bytes, bad {row['bad_status']}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.media", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--tiny", action="store_true", help="the smoke test's sizes")
    parser.add_argument("--tool", default="auto", help="wrk, oha or python")
    parser.add_argument(
        "--only",
        action="append",
        choices=("upload", "library", "article"),
        help="measure only this part (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--upload-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.upload_child:
        image, url, instance, workers = args.upload_child
        print(json.dumps(upload_child(Path(image), url, Path(instance), int(workers))))
        return 0
    results = run(TINY if args.tiny else Sizes(), args.tool, tuple(args.only or ()))
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
