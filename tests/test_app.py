"""The factory: configuration, secrets, database checks, headers and error pages."""

import os
import re
import stat
import time
from pathlib import Path

import click
import pytest

from app import HTMX_SRI
from app import HTMX_VERSION
from app import create_app
from app import init_migrations
from config import SETTINGS
from config import load_settings
from tests.support.fixtures import ROOT
from tests.support.fixtures import base_config
from web.editable_settings import BY_KEY


def test_defaults_run_with_nothing_set():
    settings = load_settings({})
    assert settings["DATABASE_URL"] is None
    assert settings["HTMX_CDN"] is True
    assert settings["RATELIMIT_STORAGE_URI"] is None  # the shared SQLite file


@pytest.mark.parametrize(
    ("env", "key", "expected"),
    [
        ({"FOLIO_HTMX_CDN": "false"}, "HTMX_CDN", False),
        ({"FOLIO_SMTP_PORT": "2525"}, "SMTP_PORT", 2525),
        (
            {"FOLIO_CONTACT_RECIPIENTS": "a@x.org, b@x.org"},
            "CONTACT_RECIPIENTS",
            ["a@x.org", "b@x.org"],
        ),
        ({"FOLIO_SITE_TITLE": "Our Blog"}, "SITE_TITLE", "Our Blog"),
    ],
)
def test_settings_from_environment(env, key, expected):
    assert load_settings(env)[key] == expected


def test_bad_setting_value_is_one_line():
    with pytest.raises(SystemExit) as exc:
        load_settings({"FOLIO_SMTP_PORT": "many"})
    assert "FOLIO_SMTP_PORT" in str(exc.value)


def test_secret_generated_once_with_0600(tmp_path, database_url):
    config = base_config(database_url)
    del config["SECRET_KEY"]
    config["INSTANCE_PATH"] = str(tmp_path / "inst")
    first = create_app(config)
    second = create_app(config)
    key_file = Path(first.instance_path) / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_malformed_database_url_exits_with_one_line(database_url):
    config = base_config(database_url)
    config["SQLALCHEMY_DATABASE_URI"] = "not a url::"
    with pytest.raises(SystemExit) as exc:
        create_app(config)
    message = str(exc.value)
    assert message.startswith("folio:") and "\n" not in message


def test_unreachable_database_exits_with_one_line(database_url):
    config = base_config(database_url)
    config["SQLALCHEMY_DATABASE_URI"] = (
        "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    )
    with pytest.raises(SystemExit) as exc:
        create_app(config)
    message = str(exc.value)
    assert "cannot reach the database" in message and "\n" not in message


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"SECRET_KEY": "dev"}, "weak"),
        ({"SECRET_KEY": "a" * 40}, "weak"),
        ({"DEBUG": True}, "debug"),
    ],
)
def test_startup_check_refuses_unsafe_production(database_url, overrides, reason):
    config = base_config(database_url)
    config.update({"TESTING": False, "ENV": "production"}, **overrides)
    with pytest.raises(SystemExit) as exc:
        create_app(config)
    assert reason in str(exc.value)


def test_sqlite_connection_pragmas(app):
    from models import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            # FOLIO_SQLITE_CACHE_MB (16) as KiB: SQLite's own default is 2 MB.
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -16 * 1024
            mmap = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
            assert mmap == 128 * 1024 * 1024


def test_sqlite_cache_and_mmap_sizes_are_settings(make_app):
    from models import db

    app = make_app(SQLITE_CACHE_MB=64, SQLITE_MMAP_MB=0)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == 0


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_under_https(client):
    response = client.get("/", base_url="https://localhost")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_base_layout_loads_htmx_with_sri_and_fallback(client):
    html = client.get("/").get_data(as_text=True)
    assert f"htmx.org@{HTMX_VERSION}/dist/htmx.min.js" in html
    assert HTMX_SRI in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert '"X-CSRFToken"' in html
    assert '"code":"422","swap":true' in html
    assert html.count('name="htmx-config"') == 1


def test_local_only_htmx(make_app):
    html = make_app(HTMX_CDN=False).test_client().get("/").get_data(as_text=True)
    assert "cdn.jsdelivr.net" not in html
    assert '<script defer src="/static/vendor/htmx/htmx.min.js"></script>' in html


def test_vendored_htmx_matches_pinned_version_and_hash():
    import base64
    import hashlib

    data = (ROOT / "static/vendor/htmx/htmx.min.js").read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert HTMX_SRI == f"sha384-{digest}"
    assert f'version:"{HTMX_VERSION}"' in data.decode()
    assert (ROOT / "static/vendor/htmx/LICENSE").exists()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/no/such/page", 404), ("post", "/", 405)],
)
def test_error_pages_full_and_fragment(client, htmx_headers, method, path, status):
    page = getattr(client, method)(path)
    assert page.status_code == status
    assert b"<!doctype html>" in page.data and b"site-header" in page.data
    fragment = getattr(client, method)(path, headers=htmx_headers)
    assert fragment.status_code == status
    assert fragment.data.lstrip().startswith(b'<div class="alert')
    assert fragment.headers["HX-Retarget"] == "#alerts"
    assert "HX-Request" in fragment.headers["Vary"]


def test_413_uses_site_error_page(make_app):
    app = make_app()
    app.add_url_rule(
        "/echo",
        "echo",
        lambda: str(len(__import__("flask").request.form)),
        methods=["POST"],
    )
    response = app.test_client().post("/echo", data={"x": "a" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert b"larger than this site accepts" in response.data


def test_csrf_enforced_without_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    app.add_url_rule("/echo", "echo", lambda: "saved", methods=["POST"])
    response = app.test_client().post("/echo", data={"x": "1"})
    assert response.status_code == 400
    assert b"Reload the page" in response.data


def test_untrusted_host_is_400(make_app):
    client = make_app(TRUSTED_HOSTS=["blog.example.com"]).test_client()
    assert client.get("/", base_url="http://evil.example").status_code == 400
    assert client.get("/", base_url="http://blog.example.com").status_code == 200


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [s.env for s in SETTINGS if not re.search(rf"`{s.env}`", readme)]
    assert not missing, f"README settings table lacks {missing}"


# Commands every `flask` has, whatever the app registers.
FLASK_BUILTINS = {"run", "shell", "routes"}


def _readme_default(value) -> str:
    """A setting's default as the README's table writes it."""
    if value is None:
        return "(unset)"
    if value in ("", [], ()):
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def test_readme_settings_table_matches_config():
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(FOLIO_[A-Z0-9_]+)` \| `([^`]*)` \|", readme, re.M))
    settings = {s.env: s for s in SETTINGS}
    assert set(rows) == set(settings), set(rows) ^ set(settings)
    for env, written in rows.items():
        expected = _readme_default(settings[env].default)
        if written.endswith("..."):
            assert expected.startswith(written[:-3].rstrip()), env
        else:
            assert written == expected, (env, written, expected)


def test_readme_says_which_settings_are_editable_in_the_browser():
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `FOLIO_([A-Z0-9_]+)` \|.*\| (yes|no) \|$", readme, re.M)
    assert len(rows) == len(SETTINGS)
    assert {key for key, editable in rows if editable == "yes"} == set(BY_KEY)


def test_readme_quick_start_comes_first_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", readme, re.M)
    assert headings[0] == "Quick start"
    section = readme.split("## Quick start", 1)[1]
    code = section.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert code[0].startswith("make run")
    assert code[1].startswith("make test")
    assert section.lstrip().startswith("```sh")


def test_readme_commands_exist(app):
    """Every `flask <command> [<subcommand>]` the README names is a real CLI command."""
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r"flask ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", readme))
    assert ("users", "create") in names
    init_migrations(app)  # as the `flask` command does: `flask db ...`
    ctx = click.Context(app.cli)
    for group, sub in names:
        if group in FLASK_BUILTINS:
            continue
        command = app.cli.get_command(ctx, group)
        assert command is not None, group
        if sub and isinstance(command, click.Group):
            assert command.get_command(ctx, sub) is not None, (group, sub)


def test_default_rate_limit_storage_sweeps_inline_without_threads(make_app):
    """memory:// is limits' in-process storage without its timer thread per request."""
    import threading

    from extensions import limiter
    from web.rate_limit import InlineExpiryMemoryStorage

    app = make_app(RATELIMIT_ENABLED=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == "folio-memory://"
    with app.app_context():
        storage = limiter.storage
        assert isinstance(storage, InlineExpiryMemoryStorage)
        before = threading.active_count()
        storage.incr("folio-test", 1)
        assert threading.active_count() == before
        assert storage.get("folio-test") == 1
        # Expired counters are gone when read, and swept from memory inline.
        storage.incr("folio-gone", 0.01)
        time.sleep(0.02)
        storage._next_sweep = 0.0
        storage.incr("folio-test", 1)
        assert "folio-gone" not in storage.storage  # swept by that incr
        assert storage.get("folio-gone") == 0


def _limiter_hooks(app) -> list:
    from extensions import limiter

    return [
        hook
        for hook in app.before_request_funcs.get(None, [])
        if getattr(hook, "__self__", None) is limiter
    ]


@pytest.mark.parametrize(
    "strategy", ["fixed-window", "moving-window", "sliding-window-counter"]
)
def test_rate_limit_storage_starts_no_threads_whatever_the_strategy(
    make_app, monkeypatch, strategy
):
    """Fails loudly if a limits upgrade changes how MemoryStorage starts its timer."""
    import threading

    from limits import parse

    from extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STRATEGY=strategy)
    started: list[threading.Thread] = []
    start = threading.Thread.start

    def counting_start(thread: threading.Thread) -> None:
        started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    with app.app_context():
        item = parse("100 per minute")
        for n in range(5):
            assert limiter.limiter.hit(item, "folio-test", str(n % 2))
            time.sleep(0.012)  # past the stock timer's interval
        assert limiter.limiter.test(item, "folio-test", "0")
    assert started == []


def test_rate_limit_storage_sweeps_expired_windows_inline(make_app):
    from extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        storage = limiter.storage
        storage.acquire_entry("folio-moving", 5, 0.01)
        storage.incr("folio-fixed", 0.01)
        time.sleep(0.02)
        storage._next_sweep = 0.0
        storage.incr("folio-live", 60)
        assert "folio-moving" not in storage.events
        assert "folio-fixed" not in storage.storage
        assert storage.get("folio-live") == 1


def test_limiter_hook_removed_only_without_app_wide_limits(make_app):
    """Fails loudly if Flask-Limiter's init_app() stops adding exactly one hook."""
    from extensions import limiter

    plain = make_app(RATELIMIT_ENABLED=True)
    assert _limiter_hooks(plain) == []
    try:
        app_wide = make_app(
            RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="1 per minute"
        )
        assert len(_limiter_hooks(app_wide)) == 1
        client = app_wide.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz").status_code == 429
    finally:
        # The limiter is a singleton that keeps application limits across apps.
        limiter.limit_manager.set_application_limits([])


def test_no_blueprint_wide_limits_while_the_hook_is_off(make_app):
    """A limit on a whole blueprint is checked by the hook init_limiter() removes."""
    from extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True)
    for name in app.blueprints:
        assert limiter.limit_manager.blueprint_limits(app, name) == [], name
