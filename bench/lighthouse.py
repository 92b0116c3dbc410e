"""`make lighthouse`: Lighthouse's four category scores for five pages, as a table.

Runs the pinned npm lighthouse (bench/lighthouse/package.json, installed by
`make lighthouse` with `npm ci`) against the demo site (bench/demo_site.py) in
Debian's Chromium: home, an article, contact, search and the staff dashboard
(signed in: the admin's cookie goes in --extra-headers). Lighthouse's default
(mobile) settings; `--preset desktop` for the desktop ones. The JSON reports go
to build/lighthouse/<page>.json, and the failing audits that weigh most are
listed under the table.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.dataset import ROOT
from bench.demo_site import ARTICLE_SLUG
from bench.demo_site import SEARCH_WORDS
from bench.demo_site import DemoSite
from bench.demo_site import demo_site
from bench.screenshots import chromium_path

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
OUT = ROOT / "build" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
# (name, path, signed in)
PAGES = [
    ("home", "/", False),
    ("article", f"/articles/{ARTICLE_SLUG}", False),
    ("contact", "/contact/", False),
    ("search", f"/search?q={SEARCH_WORDS}", False),
    ("staff-dashboard", "/staff/", True),
]
RUN_SECONDS = 180


def run_lighthouse(
    url: str, report: Path, cookie: str | None, preset: str | None
) -> None:
    """One Lighthouse run, stopped (with the Chromium it started) after RUN_SECONDS."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    if preset:
        command.append(f"--preset={preset}")
    env = os.environ | {"CHROME_PATH": chromium_path() or "/usr/bin/chromium"}
    # A session of its own: on a timeout its process group (Lighthouse and the
    # Chromium it launched) is stopped, and nothing else.
    log = report.with_suffix(".log")
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=output, start_new_session=True
        )
        status = _wait(process, url)
    if status != 0 or not report.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise RuntimeError(f"lighthouse failed on {url} (exit {status}):\n{tail}")


def _wait(process: subprocess.Popen, url: str) -> int:
    """The exit status of a Lighthouse run, or RuntimeError after RUN_SECONDS."""
    try:
        status = process.wait(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its group: Lighthouse, its Chromium
        process.wait(timeout=10)
        raise RuntimeError(f"lighthouse took over {RUN_SECONDS} s on {url}") from None
    return status


def scores(report: dict) -> dict[str, int | None]:
    """The category scores, 0-100 (None when Lighthouse could not score one)."""
    return {
        name: None if c["score"] is None else round(c["score"] * 100)
        for name, c in report["categories"].items()
    }


def failing_audits(report: dict) -> list[tuple[float, str, str]]:
    """(weight, category, audit title) of each failing scored audit."""
    found = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            score = audit.get("score")
            if ref["weight"] and score is not None and score < 0.9:
                found.append((ref["weight"] * (1 - score), category["id"], audit))
    found.sort(key=lambda item: -item[0])
    return [(weight, cat, _describe(audit)) for weight, cat, audit in found]


def _describe(audit: dict) -> str:
    value = audit.get("displayValue")
    return f"{audit['title']}" + (f" ({value})" if value else "")


def measure(
    site: DemoSite, out: Path, pages: list, preset: str | None
) -> dict[str, dict]:
    """Run every page; its report, read back."""
    reports = {}
    for name, path, staff in pages:
        report = out / f"{name}.json"
        report.unlink(missing_ok=True)
        print(f"lighthouse {name} ...", file=sys.stderr, flush=True)
        cookie = site.cookie_header if staff else None
        try:
            run_lighthouse(site(path), report, cookie, preset)
        except RuntimeError as failed:  # Chromium on a busy machine, now and then
            print(f"{failed}\nonce more ...", file=sys.stderr, flush=True)
            run_lighthouse(site(path), report, cookie, preset)
        reports[name] = json.loads(report.read_text())
    return reports


def table(reports: dict[str, dict]) -> str:
    """The scores as a Markdown table."""
    lines = [
        "| page | " + " | ".join(CATEGORIES) + " |",
        "|---|" + "---:|" * len(CATEGORIES),
    ]
    for name, report in reports.items():
        got = scores(report)
        cells = ["n/a" if got.get(c) is None else str(got[c]) for c in CATEGORIES]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def worst_audits(reports: dict[str, dict], limit: int = 12) -> list[str]:
    """The failing audits that cost most, summed over the pages, with where."""
    cost: dict[tuple[str, str], float] = {}
    where: dict[tuple[str, str], list[str]] = {}
    for name, report in reports.items():
        for weight, category, title in failing_audits(report):
            key = (category, title.split(" (")[0])
            cost[key] = cost.get(key, 0) + weight
            where.setdefault(key, []).append(name)
    ranked = sorted(cost, key=lambda key: -cost[key])[:limit]
    return [
        f"- {cat}: {title} ({', '.join(where[cat, title])})" for cat, title in ranked
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--preset", choices=["desktop", "perf", "experimental"])
    parser.add_argument("--only", action="append", help="a page name (repeatable)")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        parser.error("lighthouse is not installed: run `make lighthouse`")
    pages = [p for p in PAGES if not args.only or p[0] in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="folio-lighthouse-") as workdir:
        with demo_site(Path(workdir), lifetime=RUN_SECONDS * (len(pages) + 1)) as site:
            reports = measure(site, args.out, pages, args.preset)
    version = next(iter(reports.values()))["lighthouseVersion"]
    mode = args.preset or "mobile (default)"
    print(f"Lighthouse {version}, {mode}, {time.monotonic() - started:.0f} s\n")
    print(table(reports))
    print("\nFailing audits that cost most:")
    print("\n".join(worst_audits(reports)))
    print(f"\nReports: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
