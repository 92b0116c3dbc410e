"""Replay the attacker's findings 1 to 6 (issue 14) against a running Folio.

    make security-smoke        # or: python -m bench.security_smoke

Starts a slow SMTP sink (aiosmtpd) and Folio under gunicorn with the deployed
settings: 4 sync workers, SQLite in a temporary folder, the default rate-limit
storage, each worker's outbox sender on. Then it replays each finding as the
attacker did, over HTTP, and prints one line per check: fixed or NOT FIXED.
It exits non-zero when anything is not fixed. Each check comes from its own
client address (X-Forwarded-For, with FOLIO_PROXY_FIX=1), so the rate limits
one check exhausts do not answer another. A full disk and a PostgreSQL restart
(the rest of finding 6) are replayed under load by `make faults`
(bench/faults.py). Everything started is stopped by PID at the end.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller

from bench.dataset import ROOT
from bench.dataset import migrate
from bench.http_session import Session
from bench.server import Server
from bench.server import free_port
from tests.support.html_forms import Form
from tests.support.html_forms import fill
from tests.support.html_forms import parse

SITE = "https://blog.example.com"
ADMIN = "smoke-admin@example.com"
ADMIN_PASSWORD = "violet-harbour-lantern-42-quartz"
RECIPIENT = "team@example.com"
INJECTED = "=?utf-8?q?Hi=0D=0AReply-To:_attacker@evil.test?="
SMTP_DELAY = 0.5  # seconds per RCPT and per DATA: a slow mail server
CONCURRENT = 40


@dataclass
class Check:
    """One replayed finding."""

    finding: str
    what: str
    fixed: bool
    detail: str

    def row(self) -> str:
        mark = "fixed" if self.fixed else "NOT FIXED"
        return f"| {self.finding} | {self.what} | {mark} | {self.detail} |"


class SlowSink:
    """aiosmtpd handler: accepts every mail, slowly, and keeps it."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        await asyncio.sleep(SMTP_DELAY)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SMTP_DELAY)
        self.messages.append(envelope.content)
        return "250 Message accepted"

    def message_ids(self, to: str) -> Counter:
        """How often each Message-ID of the mail to an address arrived."""
        mails = [message_from_bytes(m) for m in self.messages]
        return Counter(m["Message-ID"] for m in mails if to in (m["To"] or ""))


class Smoke:
    """The server under test and the clients that replay the findings."""

    def __init__(self, server: Server, sink: SlowSink, slug: str) -> None:
        self.server = server
        self.sink = sink
        self.slug = slug
        self._address = 0

    def client(self) -> Session:
        """A new visitor, from a client address of its own."""
        self._address += 1
        a, b = divmod(self._address, 250)
        return Session(self.server.port, X_Forwarded_For=f"198.51.{100 + a}.{b + 1}")

    def form(self, session: Session, page: str, action: str) -> Form:
        """The form on page that posts to a URL containing action."""
        answer = session.get(page)
        for form in parse(answer.text).forms:
            if action in form.action:
                return form
        raise RuntimeError(f"no form posting to {action} on {page} ({answer.status})")

    def sign_in(
        self, session: Session, email: str = ADMIN, password: str = ADMIN_PASSWORD
    ):
        """Post the sign-in form; the answer."""
        form = self.form(session, "/staff/login", "/staff/login")
        data = _set(fill(form, "smoke", 0), email=email, password=password)
        return session.post(form.action, data)


def _set(data: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The form's data with some fields set."""
    out = [(k, values.pop(k) if k in values else v) for k, v in data]
    return out + list(values.items())


# Finding 1: sessions that outlive logout.
def sessions(smoke: Smoke) -> list[Check]:
    victim = smoke.client()
    signed_in = smoke.sign_in(victim)
    # What a thief copies: the cookie, and a form with its CSRF token.
    editor = smoke.form(victim, "/staff/articles/new", "/staff/articles")
    stolen = dict(victim.cookies)
    logout = smoke.form(victim, "/staff/", "/staff/logout")
    victim.post(logout.action, fill(logout, "smoke", 0))
    thief = smoke.client()
    thief.cookies = stolen
    replay = thief.get("/staff/")
    data = _set(fill(editor, "smoke", 0), title="Planted by a copied cookie")
    planted = thief.post(editor.action, data)
    return [
        *_ended_elsewhere(smoke),
        Check(
            "1",
            "a cookie copied before logout opens /staff/ afterwards",
            signed_in.status == 303 and replay.status != 200,
            f"sign-in {signed_in.status}; the copy after logout: {replay.status}",
        ),
        Check(
            "1",
            "the copied cookie creates an article after logout",
            planted.status in (302, 303, 400, 401, 403)
            and "Planted by a copied cookie" not in _staff_articles(smoke),
            f"POST /staff/articles with the copy: {planted.status}; nothing stored",
        ),
    ]


def _staff_articles(smoke: Smoke) -> str:
    """The staff article list, as a signed-in admin sees it."""
    admin = smoke.client()
    smoke.sign_in(admin)
    return admin.get("/staff/articles").text


def _ended_elsewhere(smoke: Smoke) -> list[Check]:
    """Another browser's session ends with "sign out everywhere" and a password change."""
    checks = []
    new_password = ADMIN_PASSWORD + "-rotated"
    for what, page, action, fields in (
        ("sign out everywhere else", "/staff/password", "/sessions", {}),
        (
            "a password change",
            "/staff/password",
            "/staff/password",
            {
                "current_password": ADMIN_PASSWORD,
                "new_password": new_password,
                "confirm": new_password,
            },
        ),
    ):
        other, own = smoke.client(), smoke.client()
        smoke.sign_in(other)
        smoke.sign_in(own)
        form = smoke.form(own, page, action)
        done = own.post(form.action, _set(fill(form, "smoke", 0), **fields))
        after = other.get("/staff/")
        checks.append(
            Check(
                "1",
                f"another browser's session outlives {what}",
                done.status == 303 and after.status != 200,
                f"{what}: {done.status}; the other browser then: {after.status}",
            )
        )
    # Back to the password the other checks sign in with.
    own = smoke.client()
    smoke.sign_in(own, password=new_password)
    form = smoke.form(own, "/staff/password", "/staff/password")
    own.post(
        form.action,
        _set(
            fill(form, "smoke", 0),
            current_password=new_password,
            new_password=ADMIN_PASSWORD,
            confirm=ADMIN_PASSWORD,
        ),
    )
    return checks


# Finding 2: forged Host headers.
def forged_host(smoke: Smoke) -> list[Check]:
    attacker = smoke.client()
    evil = {"Host": "evil.test"}
    page = f"/articles/{smoke.slug}"
    poisoned = [
        path
        for path in (page, "/", "/feed.xml", "/sitemap.xml", "/robots.txt")
        if "evil.test" in attacker.get(path, **evil).text
    ]
    readers = [smoke.client().get(page).text for _ in range(20)]
    later = sum("evil.test" in text for text in readers)
    canonical = sum(f'href="{SITE}{page}"' in text for text in readers)
    return [
        Check(
            "2",
            "Host: evil.test reaches a page, feed, sitemap or robots.txt",
            not poisoned,
            f"answers naming evil.test: {poisoned or 'none'}",
        ),
        Check(
            "2",
            "later readers get the forged host from the page cache",
            later == 0 and canonical == 20,
            f"{later} of 20 later readers saw evil.test; {canonical} had the site's canonical",
        ),
    ]


# Finding 3: encoded-word header injection.
def encoded_words(smoke: Smoke) -> list[Check]:
    checks = []
    for field in ("subject", "name"):
        reader = smoke.client()
        form = smoke.form(reader, "/contact/", "/contact/")
        data = _set(fill(form, "smoke", 0), **{field: INJECTED})
        answer = reader.post(form.action, data)
        checks.append(
            Check(
                "3",
                f"an RFC 2047 encoded word in the contact {field} becomes a header",
                answer.status == 422,
                f"contact POST: {answer.status}",
            )
        )
    return checks


def _mail_headers_injected(sink: SlowSink) -> int:
    """Mails with more than one Reply-To, or one naming the attacker."""
    bad = 0
    for raw in sink.messages:
        message = message_from_bytes(raw)
        replies = message.get_all("Reply-To") or []
        if len(replies) > 1 or any("evil.test" in r for r in replies):
            bad += 1
    return bad


# Finding 4: rate limits that multiply with workers.
def rate_limits(smoke: Smoke, limits: dict[str, int]) -> list[Check]:
    checks = []

    def login(session: Session, email: str) -> int:
        return smoke.sign_in(session, email=email, password="wrong-password").status

    # One account, from 40 addresses at once.
    sessions = [smoke.client() for _ in range(CONCURRENT)]
    forms = [smoke.form(s, "/staff/login", "/staff/login") for s in sessions]
    statuses = _at_once([lambda s=s: login(s, "target@example.com") for s in sessions])
    checks.append(_limit_check("login per account", statuses, limits["account"]))
    # One address, 40 accounts at once.
    one = smoke.client()
    sessions = [Session(smoke.server.port, **one.headers) for _ in range(CONCURRENT)]
    statuses = _at_once(
        [
            lambda s=s, n=n: login(s, f"nobody{n}@example.com")
            for n, s in enumerate(sessions)
        ]
    )
    checks.append(_limit_check("login per address", statuses, limits["address"]))
    # Comments from one address, 40 at once (each with its own fresh form).
    one = smoke.client()
    posters = [Session(smoke.server.port, **one.headers) for _ in range(CONCURRENT)]
    page = f"/articles/{smoke.slug}"
    forms = [smoke.form(p, page, "/comments") for p in posters]
    statuses = _at_once(
        [
            lambda p=p, f=f, n=n: p.post(f.action, fill(f, f"limit {n}", n)).status
            for n, (p, f) in enumerate(zip(posters, forms, strict=True))
        ]
    )
    checks.append(_limit_check("comments per address", statuses, limits["comments"]))
    return checks


def _at_once(calls: list[Callable[[], int]]) -> list[int]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _limit_check(name: str, statuses: list[int], configured: int) -> Check:
    limited = statuses.count(429)
    allowed = len(statuses) - limited
    return Check(
        "4",
        f"{name}: {len(statuses)} at once, 4 workers",
        allowed == configured,
        f"allowed {allowed}, configured {configured} (statuses {dict(Counter(statuses))})",
    )


# Finding 5: the outbox sends some mail twice.
def duplicate_mail(smoke: Smoke, count: int = 12) -> list[Check]:
    accepted = 0
    for n in range(count):
        reader = smoke.client()
        form = smoke.form(reader, "/contact/", "/contact/")
        answer = reader.post(form.action, fill(form, f"mail {n}", n))
        accepted += answer.status == 303
    deadline = time.monotonic() + 90
    while (
        sum(smoke.sink.message_ids(RECIPIENT).values()) < accepted
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    time.sleep(3 * SMTP_DELAY + 2)  # time for a second copy to arrive, if any
    ids = smoke.sink.message_ids(RECIPIENT)
    twice = sum(1 for n in ids.values() if n > 1)
    missing = [
        m for m in smoke.sink.messages if not message_from_bytes(m)["Message-ID"]
    ]
    return [
        Check(
            "5",
            f"{count} contact mails, 4 senders, SMTP {SMTP_DELAY} s a command",
            accepted == count and len(ids) >= count and twice == 0 and not missing,
            f"accepted {accepted}, delivered {sum(ids.values())}, "
            f"distinct Message-IDs {len(ids)}, delivered twice {twice}",
        ),
        Check(
            "3",
            "a delivered mail carries an injected Reply-To",
            _mail_headers_injected(smoke.sink) == 0,
            f"{len(smoke.sink.messages)} mails read",
        ),
    ]


# Finding 6: five 500s (the request-level ones).
def server_errors(smoke: Smoke) -> list[Check]:
    checks = []
    page = f"/articles/{smoke.slug}"
    for value in ("²", "①"):
        reader = smoke.client()
        form = smoke.form(reader, page, "/comments")
        data = _set(fill(form, "smoke", 0), parent_id=value)
        answer = reader.post(form.action, data)
        checks.append(
            Check(
                "6",
                f"a reply to parent_id={value}",
                answer.status == 422,
                str(answer.status),
            )
        )
    for where, page_path, action, text_field in (
        ("comment", page, "/comments", "comment"),
        ("contact", "/contact/", "/contact/", "message"),
        ("login", "/staff/login", "/staff/login", "email"),
    ):
        reader = smoke.client()
        form = smoke.form(reader, page_path, action)
        data = [(k, v) for k, v in fill(form, "smoke", 0) if k != text_field]
        answer = reader.post_multipart(
            form.action, data, [(text_field, "sent as a file")]
        )
        checks.append(
            Check(
                "6",
                f"the {where} form's {text_field} sent as a file part",
                400 <= answer.status < 500,
                str(answer.status),
            )
        )
    reader = smoke.client()
    form = smoke.form(reader, "/contact/", "/contact/")
    token = [(k, v) for k, v in fill(form, "smoke", 0) if k == "csrf_token"]
    answer = reader.post_multipart("/contact/validate/email", token, [("email", "x@y")])
    checks.append(
        Check(
            "6",
            "the contact field check's value sent as a file part",
            # The check answers 200 with the field's message: the value is missing.
            answer.status == 200 and "Enter your email address" in answer.text,
            str(answer.status),
        )
    )
    return checks


def prepare(url: str, env: dict[str, str]) -> str:
    """Migrate, add the admin, seed the demo; the slug of an article open for comments."""
    migrate(url)
    flask = [sys.executable, "-m", "flask"]
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run(
        [
            *flask,
            "users",
            "create",
            "--email",
            ADMIN,
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=ADMIN_PASSWORD + "\n",
        **run,
    )
    # After the admin exists, so the demo writes no sign-in file of its own
    # into the project's instance folder.
    subprocess.run([*flask, "seed-demo"], **run)
    return "welcome-to-folio"  # cli/demo_content.py's first article, open for comments


def limits_from(env: dict[str, str]) -> dict[str, int]:
    """The configured first numbers of the limits the smoke checks."""
    from config import load_settings

    settings = load_settings(env)

    def first(value: str) -> int:
        return int(re.match(r"\s*(\d+)", value).group(1))

    return {
        "account": first(settings["LOGIN_LIMIT_PER_ACCOUNT"]),
        "address": first(settings["LOGIN_LIMIT_PER_IP"]),
        "comments": first(settings["COMMENTS_RATE_LIMIT"]),
    }


def main() -> int:
    sink = SlowSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="folio-smoke-") as name:
        tmp = Path(name)
        url = f"sqlite:///{tmp / 'folio.db'}"
        settings = {
            "FOLIO_SITE_URL": SITE,
            "FOLIO_PROXY_FIX": "1",
            "FOLIO_SPAM_MIN_SECONDS": "0",
            "FOLIO_SMTP_HOST": "127.0.0.1",
            "FOLIO_SMTP_PORT": str(smtp.port),
            "FOLIO_SMTP_SECURITY": "none",
            "FOLIO_CONTACT_RECIPIENTS": RECIPIENT,
            "FOLIO_HTMX_CDN": "false",
            # The default storage (a SQLite file all workers share), in this
            # run's folder rather than the project's instance/.
            "FOLIO_RATELIMIT_STORAGE_URI": f"folio-sqlite://{tmp / 'ratelimits.sqlite'}",
            # The demo's images too.
            "FOLIO_MEDIA_STORAGE": str(tmp / "media"),
        }
        server = Server(url, workers=4, env=settings)
        env = os.environ | settings | {"FOLIO_DATABASE_URL": url, "FLASK_APP": "app"}
        env["FOLIO_SECRET_KEY"] = "smoke-" + "k9q2w7" * 8
        server.env["FOLIO_SECRET_KEY"] = env["FOLIO_SECRET_KEY"]
        slug = prepare(url, env)
        checks: list[Check] = []
        try:
            with server.start(tmp):
                smoke = Smoke(server, sink, slug)
                for replay in (
                    forged_host,
                    encoded_words,
                    server_errors,
                    sessions,
                    duplicate_mail,
                ):
                    checks += replay(smoke)
                checks += rate_limits(smoke, limits_from(env))
        finally:
            smtp.stop()
    print("| finding | replayed | result | measured |")
    print("|---|---|---|---|")
    for check in checks:
        print(check.row())
    broken = [c for c in checks if not c.fixed]
    print(f"\n{len(checks) - len(broken)} of {len(checks)} checks fixed")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
