"""Security defaults beyond the basics in test_app.py: CSP, cookies, proxies, hosts."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask import make_response
from flask import request
from flask import session
from flask_wtf.csrf import generate_csrf

from tests.support.fixtures import ROOT
from tests.support.fixtures import base_config

STRONG_KEY = "k3Y-" + "0123456789abcdefghijklmnopqrstuv"


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _add_probe_routes(app: Flask) -> None:
    """Test-only views: one sets the session cookie, one reports what Flask saw."""

    def login():
        session["probe"] = "1"
        return "ok"

    def whoami():
        return {
            "remote_addr": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
        }

    app.add_url_rule("/_test/session", "test_session", login)
    app.add_url_rule("/_test/whoami", "test_whoami", whoami)


@pytest.mark.parametrize("path", ["/", "/no/such/page", "/static/css/folio.css"])
def test_csp_is_strict_everywhere(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-" not in policy
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    for value in csp["script-src"]:
        assert value in ("'self'", "https://cdn.jsdelivr.net") or re.fullmatch(
            r"'nonce-[A-Za-z0-9_-]{16,}'", value
        ), value
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_csp_nonce_differs_per_response(client):
    first = _csp(client.get("/"))["script-src"]
    second = _csp(client.get("/"))["script-src"]
    assert [v for v in first if "nonce" in v] != [v for v in second if "nonce" in v]


def test_security_headers_once_each_and_a_view_keeps_its_own(make_app):
    app = make_app()

    def framed():
        response = make_response("ok")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    app.add_url_rule("/_test/framed", "test_framed", framed)
    client = app.test_client()
    own = client.get("/_test/framed").headers
    assert own.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert own.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert own["Referrer-Policy"] == "same-origin"
    for headers in (own, client.get("/").headers):
        for name in (
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cross-Origin-Opener-Policy",
            "Permissions-Policy",
            "Content-Security-Policy",
        ):
            assert len(headers.getlist(name)) == 1, name


def test_csp_without_cdn_allows_only_self(make_app):
    response = make_app(HTMX_CDN=False).test_client().get("/")
    assert "cdn.jsdelivr.net" not in response.headers["Content-Security-Policy"]


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "hx-on" not in html


@pytest.mark.parametrize(
    "status_path", [("/no/such/page", 404), ("/?page=0", 404), ("/?page=999", 404)]
)
def test_headers_on_error_pages(client, status_path):
    path, status = status_path
    response = client.get(path)
    assert response.status_code == status
    assert "Content-Security-Policy" in response.headers
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_flags_over_http(make_app):
    app = make_app()
    _add_probe_routes(app)
    cookie = app.test_client().get("/_test/session").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_secure_over_https(make_app):
    app = make_app()
    _add_probe_routes(app)
    response = app.test_client().get("/_test/session", base_url="https://localhost")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def test_proxy_fix_trusts_forwarded_headers_when_enabled(make_app):
    app = make_app(PROXY_FIX=1)
    _add_probe_routes(app)
    client = app.test_client()
    seen = client.get("/_test/whoami", headers=FORWARDED).get_json()
    assert seen["remote_addr"] == "203.0.113.9"
    assert seen["scheme"] == "https"
    page = client.get("/", headers=FORWARDED)
    assert "Strict-Transport-Security" in page.headers
    cookie = client.get("/_test/session", headers=FORWARDED).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_proxy_fix_trusts_only_the_configured_number_of_hops(make_app):
    app = make_app(PROXY_FIX=1)
    _add_probe_routes(app)
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    seen = app.test_client().get("/_test/whoami", headers=headers).get_json()
    # The client could have sent the first address itself; only the last hop counts.
    assert seen["remote_addr"] == "203.0.113.9"


def test_forwarded_headers_ignored_without_proxy_fix(make_app):
    app = make_app(PROXY_FIX=0)
    _add_probe_routes(app)
    client = app.test_client()
    seen = client.get("/_test/whoami", headers=FORWARDED).get_json()
    assert seen["remote_addr"] == "127.0.0.1"
    assert seen["scheme"] == "http"
    assert "Strict-Transport-Security" not in client.get("/", headers=FORWARDED).headers


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("blog.example.com", 200),
        ("blog.example.com:8443", 200),
        ("www.example.com", 200),
        ("evil.example", 400),
        ("blog.example.com.evil.example", 400),
        ("example.com", 400),
    ],
)
def test_trusted_hosts(make_app, host, status):
    client = make_app(
        TRUSTED_HOSTS=["blog.example.com", "www.example.com"]
    ).test_client()
    response = client.get("/", base_url=f"http://{host}")
    assert response.status_code == status
    if status == 400:
        assert b"unknown host" in response.data


def test_trusted_hosts_from_environment(monkeypatch, database_url, tmp_path):
    from config import load_settings

    settings = load_settings({"FOLIO_TRUSTED_HOSTS": "a.example, b.example"})
    assert settings["TRUSTED_HOSTS"] == ["a.example", "b.example"]


def _production(database_url, tmp_path, **overrides) -> dict:
    config = base_config(database_url)
    config.update(TESTING=False, ENV="production", INSTANCE_PATH=str(tmp_path / "i"))
    config.update(overrides)
    return config


@pytest.mark.parametrize(
    "key",
    ["dev", "changeme", "x" * 31, "a" * 64, "abababababababababababababababab1"],
)
def test_startup_refuses_weak_secret(database_url, tmp_path, key):
    from app import create_app

    with pytest.raises(SystemExit) as exc:
        create_app(_production(database_url, tmp_path, SECRET_KEY=key))
    message = str(exc.value)
    assert message.startswith("folio: refusing to start") and "\n" not in message
    assert "FOLIO_SECRET_KEY" in message


def test_startup_refuses_debug_in_production(database_url, tmp_path):
    from app import create_app

    with pytest.raises(SystemExit) as exc:
        create_app(
            _production(database_url, tmp_path, SECRET_KEY=STRONG_KEY, DEBUG=True)
        )
    assert "debug" in str(exc.value) and "\n" not in str(exc.value)


def test_startup_accepts_strong_or_generated_secret(database_url, tmp_path):
    from app import create_app

    assert create_app(_production(database_url, tmp_path, SECRET_KEY=STRONG_KEY))
    generated = _production(database_url, tmp_path)
    del generated["SECRET_KEY"]
    assert create_app(generated).config["SECRET_KEY"]


def test_development_allows_debug(database_url, tmp_path):
    from app import create_app

    config = _production(database_url, tmp_path, ENV="development", DEBUG=True)
    config["SECRET_KEY"] = "dev"
    assert create_app(config).debug


def _csrf_app(make_app) -> Flask:
    app = make_app(WTF_CSRF_ENABLED=True)

    def form():
        return {"token": generate_csrf()}

    app.add_url_rule("/_test/form", "test_form", form)
    app.add_url_rule("/_test/save", "test_save", lambda: "saved", methods=["POST"])
    return app


def test_csrf_error_fragment_for_htmx(make_app, htmx_headers):
    client = _csrf_app(make_app).test_client()
    response = client.post("/_test/save", headers=htmx_headers)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div class="alert')
    assert "<html" not in body
    assert "Reload the page" in body
    assert response.headers["HX-Retarget"] == "#alerts"
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_csrf_token_accepted_in_header_and_field(make_app, htmx_headers):
    client = _csrf_app(make_app).test_client()
    token = client.get("/_test/form").get_json()["token"]
    by_header = client.post(
        "/_test/save", headers={**htmx_headers, "X-CSRFToken": token}
    )
    assert by_header.status_code == 200
    assert client.post("/_test/save", data={"csrf_token": token}).status_code == 200


@pytest.mark.parametrize("kind", ["missing", "garbage", "foreign-session", "other-key"])
def test_csrf_bad_tokens_are_readable_400(make_app, kind):
    app = _csrf_app(make_app)
    client = app.test_client()
    client.get("/_test/form")  # this client has a session
    data = {}
    if kind == "garbage":
        data["csrf_token"] = "not-a-token"
    elif kind == "foreign-session":
        # A valid token, but issued to another visitor's session.
        data["csrf_token"] = app.test_client().get("/_test/form").get_json()["token"]
    elif kind == "other-key":
        other = _csrf_app(make_app)
        other.config["SECRET_KEY"] = "another-" + STRONG_KEY
        data["csrf_token"] = other.test_client().get("/_test/form").get_json()["token"]
    response = client.post("/_test/save", data=data)
    assert response.status_code == 400
    assert b"Reload the page" in response.data
    assert b"<!doctype html>" in response.data


def test_remember_cookie_secure_over_https(make_app):
    from flask_login import login_user

    from models import User
    from models import db
    from tests.support.factories import make_user

    app = make_app()
    with app.app_context():
        user_id = make_user().id

    def remember():
        login_user(db.session.get(User, user_id), remember=True)
        return "ok"

    app.add_url_rule("/_test/remember", "test_remember", remember)
    response = app.test_client().get("/_test/remember", base_url="https://localhost")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") for c in cookies)
    for cookie in cookies:
        assert cookie.count("Secure") == 1 and "HttpOnly" in cookie, cookie


def test_value_the_database_refuses_is_400_and_nothing_saved(make_app, htmx_headers):
    from sqlalchemy import func
    from sqlalchemy import select
    from sqlalchemy.exc import DataError

    from models import ContactMessage
    from models import db
    from storage.transactions import write_transaction

    app = make_app()

    def save():
        with write_transaction():
            db.session.add(
                ContactMessage(
                    name="n", email="e@example.org", message=request.form["m"]
                )
            )
            db.session.flush()
            if db.engine.dialect.name == "sqlite":
                # SQLite stores NUL; raise what PostgreSQL's driver raises for it
                # (on PostgreSQL the flush above raises it for real).
                raise DataError(
                    "INSERT", {}, ValueError("text fields cannot contain NUL (0x00)")
                )
        return "saved"

    app.add_url_rule("/_test/save", "test_save", save, methods=["POST"])
    client = app.test_client()
    response = client.post("/_test/save", data={"m": "a\x00b"})
    assert response.status_code == 400
    assert b"nothing was saved" in response.data
    fragment = client.post("/_test/save", data={"m": "a\x00b"}, headers=htmx_headers)
    assert fragment.status_code == 400 and fragment.headers["HX-Retarget"] == "#alerts"
    with app.app_context():
        assert db.session.scalar(select(func.count(ContactMessage.id))) == 0


def test_gunicorn_trusts_no_forwarded_headers_of_its_own():
    """FOLIO_PROXY_FIX alone decides whose X-Forwarded-* count (issue 14, point 9)."""
    import runpy

    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["forwarded_allow_ips"] == ""
