"""Row 3: comment POSTs through the real form path, from several clients at once.

Each post uses a form of its own, fetched the way a reader's browser gets it:
GET the article page (keeping the session cookie), read the CSRF token and the
hidden fields (the signed render time, the empty honeypot) from the HTML, and
post them back with the reader's fields filled in. Forms are fetched before the
clock starts, so the timed phase measures the POSTs alone, all rules on.
"""

from __future__ import annotations

import http.client
import sqlite3
import statistics
import threading
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode
from urllib.parse import urlsplit

from bench import post_replay
from bench.dataset import READERS
from bench.dataset import reader_email
from bench.load import percentile
from bench.routes import HTMX_HEADERS


class FormNotFound(RuntimeError):
    """The article page has no comment form this client understands."""


class _FormParser(HTMLParser):
    """Collect the fields of the first form whose action posts comments."""

    def __init__(self, action_hint: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action_hint = action_hint
        self.action: str | None = None
        self.fields: list[dict] = []
        self._inside = False
        self._done = False
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if (
            tag == "form"
            and not self._done
            and self.action_hint in attributes.get("action", "")
        ):
            self._inside = True
            self.action = attributes["action"]
            return
        if not self._inside:
            return
        if tag in {"input", "select"} and attributes.get("name"):
            self.fields.append({"tag": tag, **attributes})
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = {"tag": "textarea", "value": "", **attributes}
            self.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._inside:
            self._inside = False
            self._done = True


@dataclass
class Form:
    """A comment form as a reader's browser holds it."""

    action: str
    hidden: dict[str, str]
    roles: dict[str, str]  # role (body, name, email, url) -> field name


def parse_comment_form(html: str, action_hint: str = "/comments") -> Form:
    """Read the comment form: its action, hidden values and which field is which."""
    parser = _FormParser(action_hint)
    parser.feed(html)
    if parser.action is None:
        raise FormNotFound(f"no form posting to {action_hint!r} on the page")
    hidden: dict[str, str] = {}
    roles: dict[str, str] = {}
    for f in parser.fields:
        name = f["name"]
        kind = f.get("type", "text").lower() if f["tag"] == "input" else f["tag"]
        lowered = name.lower()
        if kind == "hidden":
            hidden[name] = f.get("value", "")
        elif kind in {"submit", "button", "checkbox", "radio"}:
            continue
        elif lowered == "homepage":
            hidden[name] = ""  # the honeypot: people leave it empty
        elif kind == "textarea":
            roles.setdefault("body", name)
        elif kind == "email" or "email" in lowered:
            roles.setdefault("email", name)
        elif kind == "url" or "url" in lowered or "website" in lowered:
            roles.setdefault("url", name)
        elif "name" in lowered or "author" in lowered:
            roles.setdefault("name", name)
        elif kind == "text":
            roles.setdefault("other_text", name)
    if "name" not in roles and "other_text" in roles:
        roles["name"] = roles["other_text"]
    roles.pop("other_text", None)
    missing = {"body", "name", "email"} - roles.keys()
    if missing:
        raise FormNotFound(f"comment form lacks fields for {sorted(missing)}")
    return Form(action=parser.action, hidden=hidden, roles=roles)


class _Browser:
    """One reader: a cookie jar and an HTTP connection to the server."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            if method != "GET":
                # A POST is never retried: it may have been stored already.
                self.conn.close()
                raise
            # The worker dropped a kept-alive connection: open a new one once.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response.status, data

    def cookie_header(self) -> str:
        """The Cookie header this reader's browser sends."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def close(self) -> None:
        self.conn.close()


@dataclass
class PostResult:
    """What one POST run measured."""

    mode: str
    clients: int
    attempted: int = 0
    acknowledged: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    posts_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    stored: int = 0
    stored_by_status: dict[str, int] = field(default_factory=dict)
    prefetch_seconds: float = 0.0
    cpu_ms_per_post: float | None = None
    client_cpu_ms_per_post: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _comment_fields(form: Form, marker: str, n: int) -> dict[str, str]:
    # Nine posts in ten come from readers with approved comments (approved at
    # once); every tenth from a new address (held for moderation).
    if n % 10 == 9:
        email, name = f"new-{marker}-{n}@example.org", f"New reader {n}"
    else:
        reader = n % READERS
        email, name = reader_email(reader), f"Reader {reader}"
    values = dict(form.hidden)
    values[form.roles["body"]] = (
        f"Benchmark comment {marker} number {n}: a careful reply about caching "
        "rendered pages, keeping statements constant and forms that work without "
        "JavaScript."
    )
    values[form.roles["name"]] = name
    values[form.roles["email"]] = email
    if "url" in form.roles:
        values[form.roles["url"]] = ""
    return values


def run_posts(
    base_url: str,
    article_paths: list[str],
    total: int,
    clients: int,
    htmx: bool,
    marker: str,
    cpu_seconds=None,
    tool: str = "python",
) -> PostResult:
    """Post total comments from clients at once, spread over the articles.

    The forms are fetched first (untimed); the timed phase is the POSTs alone,
    sent by wrk (bench/post_replay.py) when tool is "wrk", else by Python
    threads. Python's client costs about half a millisecond of CPU per post on
    the same cores as the server, and gunicorn's sync worker waits after each
    answer until the client closes the connection, so a slow client also slows
    the server; wrk does neither.
    """
    result = PostResult(mode="htmx" if htmx else "plain", clients=clients)
    started = time.perf_counter()
    prepared = prefetch(base_url, article_paths, total, clients, marker)
    result.prefetch_seconds = time.perf_counter() - started
    if tool == "wrk":
        timed = post_replay.replay(base_url, prepared, htmx, cpu_seconds)
    else:
        timed = _post_from_threads(prepared, htmx, cpu_seconds)
    seconds, statuses, latencies, client_cpu, cpu_delta = timed
    result.seconds = seconds
    result.statuses = statuses
    ack_status = 200 if htmx else 303
    result.attempted = sum(statuses.values())
    result.acknowledged = statuses.get(str(ack_status), 0)
    result.errors = result.attempted - result.acknowledged
    result.posts_per_s = result.acknowledged / seconds if seconds else 0.0
    result.p50_ms, result.p99_ms = latencies
    if cpu_delta is not None and result.attempted:
        result.cpu_ms_per_post = cpu_delta * 1000 / result.attempted
    if result.attempted:
        result.client_cpu_ms_per_post = client_cpu * 1000 / result.attempted
    return result


Prepared = list[list[tuple["_Browser", str, str]]]


def prefetch(
    base_url: str, article_paths: list[str], total: int, clients: int, marker: str
) -> Prepared:
    """Each client's forms, fetched as a reader's browser gets them: per client,
    (browser with its cookies, urlencoded body, form action) per post."""
    per_client = [
        total // clients + (1 if n < total % clients else 0) for n in range(clients)
    ]
    prepared: Prepared = [[] for _ in range(clients)]
    problems: list[BaseException] = []

    def fetch(c: int) -> None:
        browser = _Browser(base_url)
        try:
            for i in range(per_client[c]):
                n = sum(per_client[:c]) + i
                article_path = article_paths[n % len(article_paths)]
                status, html = browser.request("GET", article_path)
                if status != 200:
                    raise FormNotFound(f"GET {article_path} answered {status}")
                form = parse_comment_form(html.decode("utf-8", "replace"))
                prepared[c].append(
                    # Encoded now: the timed phase measures the server.
                    (browser, urlencode(_comment_fields(form, marker, n)), form.action)
                )
        except BaseException as exc:  # reported once below
            problems.append(exc)

    _in_threads(fetch, clients)
    if problems:
        raise problems[0]
    return prepared


def _post_from_threads(prepared: Prepared, htmx: bool, cpu_seconds):
    """POST every prepared form from one Python thread per client, all at once."""
    clients = len(prepared)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[dict[str, int]] = [{} for _ in range(clients)]
    headers = dict(HTMX_HEADERS) if htmx else {}
    barrier = threading.Barrier(clients + 1)

    def post(c: int) -> None:
        barrier.wait()
        for browser, body, action in prepared[c]:
            began = time.perf_counter()
            try:
                status, _ = browser.request("POST", action, body, headers)
            except (OSError, http.client.HTTPException) as exc:
                key = type(exc).__name__
            else:
                key = str(status)
                latencies[c].append((time.perf_counter() - began) * 1000)
            statuses[c][key] = statuses[c].get(key, 0) + 1
        if prepared[c]:
            prepared[c][0][0].close()

    threads = [threading.Thread(target=post, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds() if cpu_seconds else None
    barrier.wait()
    began = time.perf_counter()
    client_began = time.process_time()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    client_cpu = time.process_time() - client_began
    cpu_delta = cpu_seconds() - cpu_before if cpu_seconds else None
    merged: dict[str, int] = {}
    for per in statuses:
        for key, count in per.items():
            merged[key] = merged.get(key, 0) + count
    flat = [v for per in latencies for v in per]
    p50 = statistics.median(flat) if flat else 0.0
    return seconds, merged, (p50, percentile(flat, 0.99)), client_cpu, cpu_delta


def _in_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def stored_rows(db_path: str, marker: str) -> dict[str, int]:
    """Comments in the database whose body carries this run's marker, by status."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM comments WHERE body LIKE ? GROUP BY status",
            (f"%Benchmark comment {marker} number %",),
        ).fetchall()
    return {status: count for status, count in rows}


def rate_limit_overrides(settings) -> tuple[dict[str, str], list[str]]:
    """Environment that raises the comment rate limit for the benchmark client.

    The limit stays enabled (FOLIO_RATELIMIT_ENABLED is left alone); only a
    setting that names a comment rate limit is set very high. Returns the
    variables and a note per setting found (empty when this build has none).
    """
    env: dict[str, str] = {}
    notes: list[str] = []
    for setting in settings:
        key = setting.key
        if "COMMENT" not in key or not ("RATE" in key or "LIMIT" in key):
            continue
        if isinstance(setting.default, bool):
            continue
        if isinstance(setting.default, int):
            env[setting.env] = "1000000"
        elif isinstance(setting.default, str) and (
            "/" in setting.default or " per " in setting.default
        ):
            env[setting.env] = "1000000 per minute"
        else:
            continue
        notes.append(f"{setting.env}={env[setting.env]}")
    return env, notes
