"""Rate limits hold for the whole site: shared counters, counted atomically (issue 14, point 4)."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from extensions import limiter
from storage import limit_counters
from storage.limit_counters import SQLiteCounterStorage
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.fixtures import ROOT
from tests.support.gunicorn_server import gunicorn_folio
from tests.support.html_forms import parse

REDIS_URL = "redis://127.0.0.1:6379/0"
ATTEMPTS = 40


def _storage(path: Path) -> SQLiteCounterStorage:
    return SQLiteCounterStorage(f"folio-sqlite://{path}")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_counters_count_expire_and_clear(tmp_path):
    storage = _storage(tmp_path / "counters.sqlite")
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3
    assert 59 < storage.get_expiry("k") - time.time() <= 60
    assert storage.incr("k", 60, amount=-1) == 2
    assert storage.get("missing") == 0
    storage.incr("short", 0.05)
    time.sleep(0.06)
    assert storage.get("short") == 0
    assert storage.incr("short", 60) == 1  # a new window
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.reset() == 1
    assert storage.check()


def test_two_storages_on_one_file_share_their_counts(tmp_path):
    first, second = (_storage(tmp_path / "counters.sqlite") for _ in range(2))
    assert first.incr("k", 60) == 1
    assert second.incr("k", 60) == 2
    assert first.get("k") == 2


_COUNTING_PROCESS = """
import sys, time
from storage.limit_counters import SQLiteCounterStorage
storage = SQLiteCounterStorage(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
print(" ".join(str(storage.incr("shared", 60)) for _ in range(int(sys.argv[3]))))
"""


def test_counts_from_several_processes_are_atomic(tmp_path):
    """Every increment from four processes at once gets its own number."""
    uri = f"folio-sqlite://{tmp_path / 'counters.sqlite'}"
    _storage(tmp_path / "counters.sqlite")
    start, each = time.time() + 1.5, 200
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _COUNTING_PROCESS, uri, str(start), str(each)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    seen = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        seen += [int(n) for n in out.split()]
    assert sorted(seen) == list(range(1, 4 * each + 1))
    assert _storage(tmp_path / "counters.sqlite").get("shared") == 4 * each


def test_ended_windows_are_swept(tmp_path):
    path = tmp_path / "counters.sqlite"
    storage = _storage(path)
    storage.incr("gone", 0.01)
    time.sleep(0.02)
    storage._next_sweep = 0.0
    storage.incr("live", 60)
    with sqlite3.connect(path) as conn:
        keys = [key for (key,) in conn.execute("SELECT key FROM counters")]
    assert keys == ["live"]


def test_counters_file_is_private(tmp_path):
    path = tmp_path / "counters.sqlite"
    old = os.umask(0o022)
    try:
        storage = _storage(path)
        storage.incr("k", 60)  # the -wal and -shm exist while it is open
    finally:
        os.umask(old)
    for suffix in ("", "-wal", "-shm"):
        assert _mode(path.with_name(path.name + suffix)) == 0o600


@pytest.mark.parametrize("uri", ["folio-sqlite://relative.sqlite", "folio-sqlite://"])
def test_counters_need_an_absolute_path(uri):
    with pytest.raises(ValueError, match="absolute path"):
        SQLiteCounterStorage(uri)


def test_default_storage_is_the_shared_file_in_the_instance_folder(make_app):
    app = make_app(RATELIMIT_STORAGE_URI=None, RATELIMIT_ENABLED=True)
    path = Path(app.instance_path) / "ratelimits.sqlite"
    assert app.config["RATELIMIT_STORAGE_URI"] == f"folio-sqlite://{path}"
    with app.app_context():
        assert isinstance(limiter.storage, SQLiteCounterStorage)
        assert limiter.storage.path == path
    assert _mode(path) == 0o600
    assert _mode(Path(app.instance_path)) == 0o700


def test_memory_and_redis_settings_are_kept(make_app):
    memory = make_app(RATELIMIT_STORAGE_URI="memory://")
    assert memory.config["RATELIMIT_STORAGE_URI"] == "folio-memory://"
    assert memory.config["RATELIMIT_STORAGE_OPTIONS"] == {"wrap_exceptions": True}
    redis = make_app(RATELIMIT_STORAGE_URI=REDIS_URL)
    assert redis.config["RATELIMIT_STORAGE_URI"] == REDIS_URL


def test_locked_counters_answer_503_and_store_nothing(make_app, monkeypatch):
    """A limit that cannot be counted is refused, never skipped."""
    monkeypatch.setattr(limit_counters, "BUSY_TIMEOUT_SECONDS", 0.05)
    app = make_app(RATELIMIT_STORAGE_URI=None, RATELIMIT_ENABLED=True)
    holder = sqlite3.connect(Path(app.instance_path) / "ratelimits.sqlite")
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = app.test_client().post("/contact/", data={})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite-file", "redis"])
def shared_limits(request, make_app):
    """Make an app whose counters all workers would share: the default, or Redis."""
    if request.param == "sqlite-file":
        storage = {"RATELIMIT_STORAGE_URI": None}
    elif _redis_up():
        # A prefix of its own: resetting it leaves anyone else's keys alone.
        prefix = f"folio-test-{secrets.token_hex(4)}"
        storage = {
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix},
        }
    else:
        pytest.skip(f"no Redis at {REDIS_URL}")
    made = []

    def _make(**overrides):
        made.append(make_app(RATELIMIT_ENABLED=True, **storage, **overrides))
        return made[-1]

    yield _make
    if made:
        with made[-1].app_context():
            limiter.reset()


def _burst(app, path: str, data_for, attempts: int = ATTEMPTS) -> Counter:
    """Post attempts requests at once, from as many threads; count the statuses."""
    start = threading.Barrier(attempts, timeout=60)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def attempt(n: int) -> None:
        client = app.test_client()
        start.wait()
        status = client.post(path, data=data_for(n)).status_code
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.parametrize("per", ["account", "address"])
def test_concurrent_failed_sign_ins_get_exactly_the_limit(shared_limits, per):
    """The check-then-count race: 40 attempts at once, no more than 5 get to try."""
    app = shared_limits(
        LOGIN_LIMIT_PER_ACCOUNT="5 per 15 minutes" if per == "account" else "1000/day",
        LOGIN_LIMIT_PER_IP="5 per 15 minutes" if per == "address" else "1000/day",
    )
    with app.app_context():
        make_user(email="ed@example.com")

    def data(n: int) -> dict:
        email = "ed@example.com" if per == "account" else f"guess{n}@example.com"
        return {"email": email, "password": "a wrong password"}

    assert _burst(app, "/staff/login", data) == {422: 5, 429: ATTEMPTS - 5}


@pytest.mark.parametrize("form", ["contact", "comments"])
def test_concurrent_form_posts_get_exactly_the_limit(shared_limits, form):
    app = shared_limits(
        SPAM_MIN_SECONDS=0,
        CONTACT_RATE_LIMIT="5 per minute",
        COMMENTS_RATE_LIMIT="5 per minute",
    )
    path = "/contact/"
    if form == "comments":
        with app.app_context():
            path = f"/articles/{make_article(slug='hello').slug}/comments"
    # Invalid posts count too (422): the limit is checked before the form.
    statuses = _burst(app, path, lambda n: {})
    assert statuses[429] == ATTEMPTS - 5 and statuses.total() == ATTEMPTS


def test_successful_sign_ins_are_refunded_failures_still_capped(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=None,
        LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
        LOGIN_LIMIT_PER_IP="3 per 15 minutes",
    )
    with app.app_context():
        make_user(email="ed@example.com")
    wrong = {"email": "ed@example.com", "password": "a wrong password"}
    right = {"email": "ed@example.com", "password": PASSWORD}
    statuses = [
        app.test_client().post("/staff/login", data=data).status_code
        for data in (wrong, right, wrong, right, right, wrong, wrong)
    ]
    assert statuses == [422, 303, 422, 303, 303, 422, 429]


def _form_session(base: str, page: str, action: str) -> tuple[str, dict[str, str]]:
    """GET page: its session cookie and the hidden fields of the form posting to action."""
    answer = urllib.request.urlopen(base + page, timeout=30)
    cookie = "; ".join(
        value.split(";", 1)[0] for value in answer.headers.get_all("Set-Cookie") or []
    )
    form = next(f for f in parse(answer.read().decode()).forms if f.action == action)
    hidden = {f["name"]: f["value"] for f in form.fields if f["type"] == "hidden"}
    return cookie, hidden


def _http_burst(base: str, action: str, cookie: str, bodies: list[dict]) -> Counter:
    """POST every body at once, each on its own connection; count the statuses."""
    start = threading.Barrier(len(bodies), timeout=60)
    statuses: Counter = Counter()
    lock = threading.Lock()
    host, port = urllib.parse.urlsplit(base).netloc.split(":")

    def attempt(body: dict) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        start.wait()
        try:
            conn.request(
                "POST",
                action,
                body=urllib.parse.urlencode(body),
                headers={
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            status = conn.getresponse().status
        finally:
            conn.close()
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=attempt, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.slow
def test_limits_hold_across_gunicorn_workers(database_url, tmp_path):
    """Four workers, the default storage: the configured number, not four times it."""
    env = {"FOLIO_LOGIN_LIMIT_PER_IP": "1000 per day", "FOLIO_SPAM_MIN_SECONDS": "0"}
    with gunicorn_folio(database_url, tmp_path / "instance", env) as base:
        cookie, hidden = _form_session(base, "/staff/login", "/staff/login")
        wrong = hidden | {"email": "ed@example.com", "password": "a wrong password"}
        assert _http_burst(base, "/staff/login", cookie, [wrong] * 24) == {
            422: 5,
            429: 19,
        }
        # Only the token and timestamp: each allowed post is a 422, nothing stored.
        cookie, hidden = _form_session(base, "/contact/", "/contact/")
        assert _http_burst(base, "/contact/", cookie, [hidden] * 24) == {
            422: 5,
            429: 19,
        }
    assert (tmp_path / "instance" / "ratelimits.sqlite").exists()


def test_no_limit_is_tested_before_it_is_counted():
    """deduct_when and limiter.test() check first and count later: the race."""
    sources = [
        path for part in ("blueprints", "web") for path in (ROOT / part).rglob("*.py")
    ]
    racy = re.compile(r"deduct_when\s*=|limiter\.test\(")
    assert [str(p) for p in sources if racy.search(p.read_text())] == []
