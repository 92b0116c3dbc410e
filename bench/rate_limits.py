"""Do the rate limits hold across gunicorn workers? Concurrent attempts, counted.

Starts Folio under gunicorn (4 workers, 127.0.0.1, a free port, a temporary
database and instance folder) once per rate-limit storage: the default
(`FOLIO_RATELIMIT_STORAGE_URI` unset), Redis, and `memory://` for comparison.
Against each it fires a burst of concurrent requests (40 by default, released
together) at:

- sign-in, per account: one email and a wrong password, each request from an
  address of its own (`FOLIO_PROXY_FIX=1` and `X-Forwarded-For`);
- sign-in, per address: one address, a different email each time;
- the comment form and the contact form: one address, N posts.

and counts the requests that got through (any answer but 429). Every run uses
new random emails and addresses, so counters left in Redis by an earlier run
do not interfere; the keys this run made in Redis are deleted at the end.
Prints one table: limit, configured, allowed, storage. `--help` for options.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import shutil
import tempfile
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many

from bench.dataset import FEATURED_SLUG
from bench.dataset import build
from bench.server import Server
from config import load_settings
from tests.support.html_forms import fill
from tests.support.html_forms import parse

HOST = "127.0.0.1"
STORAGE_SETTING = "FOLIO_RATELIMIT_STORAGE_URI"


@dataclass
class Answer:
    """What one request got back."""

    status: int
    cookies: dict[str, str]
    text: str


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    cookies: dict[str, str] | None = None,
    address: str | None = None,
) -> Answer:
    """One request on a new connection; address goes in X-Forwarded-For."""
    headers = {"Connection": "close", "User-Agent": "folio-bench-rate-limits/1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if address:
        headers["X-Forwarded-For"] = address
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        got = dict(cookies or {})
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.split(";", 1)[0].partition("=")
            got[name.strip()] = rest.strip()
        return Answer(response.status, got, text)
    finally:
        conn.close()


@dataclass
class Scenario:
    """One limit: the form it guards, and how each request of the burst differs."""

    name: str
    setting: str
    page: str
    action: str
    # n -> (the n-th request's X-Forwarded-For, the fields it changes)
    vary: Callable[[int], tuple[str, dict[str, str]]]


def scenarios(token: str) -> list[Scenario]:
    """The limits measured, with identities new to this run."""
    rng = random.Random(token)
    net = f"10.{rng.randrange(256)}.{rng.randrange(256)}"
    victim = f"victim-{token}@example.org"
    comment_from, contact_from = f"{net}.1", f"{net}.2"
    login_from = f"{net}.3"
    other_net = f"10.{rng.randrange(256)}.{rng.randrange(256)}"
    return [
        Scenario(
            "sign-in, per account",
            "LOGIN_LIMIT_PER_ACCOUNT",
            "/staff/login",
            "/staff/login",
            lambda n: (f"{other_net}.{n % 250 + 1}", {"email": victim}),
        ),
        Scenario(
            "sign-in, per address",
            "LOGIN_LIMIT_PER_IP",
            "/staff/login",
            "/staff/login",
            lambda n: (login_from, {"email": f"guess{n}-{token}@example.org"}),
        ),
        Scenario(
            "comment form, per address",
            "COMMENTS_RATE_LIMIT",
            f"/articles/{FEATURED_SLUG}",
            f"/articles/{FEATURED_SLUG}/comments",
            lambda n: (comment_from, {}),
        ),
        Scenario(
            "contact form, per address",
            "CONTACT_RATE_LIMIT",
            "/contact/",
            "/contact/",
            lambda n: (contact_from, {}),
        ),
    ]


def configured(setting: str) -> int:
    """How many requests the setting allows in its shortest window."""
    value = load_settings(os.environ)[setting]
    return min(parse_many(value), key=lambda item: item.get_expiry()).amount


def burst(port: int, scenario: Scenario, attempts: int, token: str) -> Counter:
    """Fire attempts concurrent posts through the scenario's form; count answers."""
    page = request(port, "GET", scenario.page)
    forms = [f for f in parse(page.text).forms if f.action == scenario.action]
    if page.status != 200 or not forms:
        raise SystemExit(f"rate_limits: no form posting to {scenario.action}")
    bodies = []
    for n in range(attempts):
        address, changes = scenario.vary(n)
        fields = dict(fill(forms[0], f"rate-{token}-{n}", n)) | changes
        bodies.append((address, urllib.parse.urlencode(fields).encode()))
    start = threading.Barrier(attempts)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def attempt(address: str, body: bytes) -> None:
        start.wait()
        try:
            status = request(
                port, "POST", scenario.action, body, page.cookies, address
            ).status
        except (OSError, http.client.HTTPException):
            status = 0
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=attempt, args=pair) for pair in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def measure(
    label: str, uri: str | None, tmp: Path, database_url: str, args, token: str
) -> list[dict]:
    """Start gunicorn on one storage, run every scenario against it."""
    instance = tmp / f"instance-{len(list(tmp.glob('instance-*')))}"
    env = {
        "FOLIO_PROXY_FIX": "1",
        "FOLIO_SPAM_MIN_SECONDS": "0",
        "FOLIO_OUTBOX_WORKER": "false",
        "FOLIO_RATELIMIT_ENABLED": "true",
    }
    if uri is not None:
        env[STORAGE_SETTING] = uri
    server = Server(
        database_url,
        workers=args.workers,
        env=env,
        app=f"app:create_app({{'INSTANCE_PATH': {str(instance)!r}}})",
    )
    rows = []
    with server.start(tmp):
        for scenario in scenarios(token):
            statuses = burst(server.port, scenario, args.attempts, token)
            rows.append(
                {
                    "limit": scenario.name,
                    "configured": configured(scenario.setting),
                    "allowed": sum(n for s, n in statuses.items() if s != 429),
                    "storage": label,
                    "answers": ", ".join(
                        f"{s}×{n}" for s, n in sorted(statuses.items())
                    ),
                }
            )
    return rows


def redis_reachable(url: str) -> bool:
    """True when a Redis server answers at url."""
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def forget_in_redis(url: str, token: str) -> int:
    """Delete the keys this run made in Redis (they name its addresses and emails)."""
    import redis

    client = redis.Redis.from_url(url)
    marks = [token, *{s.vary(0)[0].rsplit(".", 1)[0] + "." for s in scenarios(token)}]
    doomed = [
        key
        for key in client.scan_iter(match="LIMITS*", count=1000)
        if any(mark.encode() in key for mark in marks)
    ]
    if doomed:
        client.delete(*doomed)
    return len(doomed)


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    columns = ["limit", "configured", "allowed", "storage", "answers"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row[c]) for c in columns) + " |")
    return "\n".join(lines)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--storage",
        action="append",
        choices=["default", "redis", "memory"],
        help="measure only these (repeatable); default: all three",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build a small site, measure each storage, print the table."""
    args = arguments(argv)
    # The default row must see the setting unset, whatever this shell exports.
    os.environ.pop(STORAGE_SETTING, None)
    wanted = args.storage or ["default", "redis", "memory"]
    storages = {
        "default": ("default (unset)", None),
        "redis": ("redis://", args.redis),
        "memory": ("memory://", "memory://"),
    }
    tmp = Path(tempfile.mkdtemp(prefix="folio-rate-limits-"))
    rows: list[dict] = []
    try:
        data = build(
            tmp / "folio.db",
            articles=0,
            big_thread=0,
            featured_comments=0,
            post_targets=0,
        )
        for name in wanted:
            label, uri = storages[name]
            # New emails, addresses and comment texts for each server: they
            # share the database, where a repeated comment would be refused.
            token = secrets.token_hex(4)
            if name == "redis" and not redis_reachable(args.redis):
                print(f"rate_limits: no Redis at {args.redis}; its rows are skipped")
                continue
            try:
                rows += measure(label, uri, tmp, data.url, args, token)
            finally:
                if name == "redis":
                    forget_in_redis(args.redis, token)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{args.attempts} concurrent requests per limit, gunicorn with "
        f"{args.workers} sync workers; allowed = answers other than 429.\n"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
