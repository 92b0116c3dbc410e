"""The fault harness's load: posters through the real form, and readers.

Each request is recorded with when it began and how it ended, so the fault
table can tell which requests met which fault. Only the standard library, and
the form reader the bad-input tests share (tests/support/html_forms.py).
"""

from __future__ import annotations

import http.client
import random
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections import Counter

from bench.fault_table import ACK_STATUSES
from bench.fault_table import Result
from bench.fault_table import Window
from bench.http_session import Session as Client
from tests.support.html_forms import Form
from tests.support.html_forms import fill
from tests.support.html_forms import parse

HOST = "127.0.0.1"


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
            home = client.get("/").text
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
        answer = client.get(target.page)
        status, html = answer.status, answer.text
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
        self.started = time.monotonic()
        self.deadline = deadline
        self.run_id = secrets.token_hex(4)
        self.lock = threading.Lock()
        self.results: list[Result] = []
        self.acked: set[str] = set()
        self.sent: set[str] = set()
        self.post_statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.events: list[str] = []
        self.windows: list[Window] = []
        self.problems: list[str] = []  # faults that could not be injected
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

    def fault(self, name: str, start: float, end: float) -> None:
        """Note when one fault event lasted."""
        with self.lock:
            self.windows.append(Window(name, start, end))

    def wait_until(self, offset: float) -> None:
        """Sleep until offset seconds after the load began."""
        time.sleep(max(0.0, self.started + offset - time.monotonic()))


def timed(
    run: Run,
    kind: str,
    client: Client,
    method: str,
    path: str,
    body: bytes | None = None,
    marker: str | None = None,
):
    """One request, recorded with its start and latency; (status, headers, text)."""
    started = time.monotonic()
    try:
        form = "application/x-www-form-urlencoded" if body is not None else None
        answer = client.request(method, path, body, form)
        status, headers, text = answer.status, answer.headers, answer.text
    except (OSError, http.client.HTTPException) as exc:
        run.record(Result(kind, 0, started, time.monotonic() - started, marker=marker))
        with run.lock:
            run.errors[type(exc).__name__] += 1
        return 0, {}, ""
    seconds = time.monotonic() - started
    wait = headers.get("retry-after", "")
    run.record(Result(kind, status, started, seconds, wait, marker, site_page(text)))
    return status, headers, text


def site_page(html: str) -> bool:
    """True when a page is the site's own (its layout), saying nothing was saved."""
    return "<main" in html and "nothing was saved" in html


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
        status, headers, _ = timed(run, "post", client, "POST", action, body, marker)
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
    home = client.get("/").text
    paths += sorted(
        {link for link in parse(home).links if re.fullmatch(r"/articles/[^/?#]+", link)}
    )[:8]
    return paths


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]
